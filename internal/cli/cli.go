// Package cli parses the command line and runs scouter's subcommands.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/scouter-seo/scouter/internal/store"
)

const usage = `scouter — a self-hosted SEO crawler

Usage:
  scouter crawl   [flags] URL     crawl a site and follow it in the terminal
  scouter serve   [flags]         HTTP API with embedded workers (--workers 0 for none)
  scouter worker  [flags]         claim and run jobs from the database
  scouter migrate [flags]         bring the database schema up to date
  scouter jobs list|show|logs|stop|resume|enqueue [flags]
  scouter export  --crawl ID [--what pages|links|findings] [--format csv|jsonl] [-o FILE]

Every command takes:
  --db URL          postgres://… or a SQLite file path (env SCOUTER_DB);
                    default: scouter.db in the data directory
  --data-dir DIR    data directory (env SCOUTER_DATA_DIR; default ~/.local/share/scouter)
  --log-level LVL   debug, info, warn, error (env SCOUTER_LOG_LEVEL; default info)
  --log-format FMT  text or json (env SCOUTER_LOG_FORMAT; default text)

Run "scouter COMMAND -h" for a command's flags.
`

// exitUsage is the exit code for command-line mistakes.
const exitUsage = 2

// Run runs one command and returns the process exit code. Errors are printed
// as one line, never as a stack trace.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return 0
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, stdout, stderr)
	case "worker":
		err = runWorker(ctx, rest, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, rest, stdout, stderr)
	case "jobs":
		err = runJobs(ctx, rest, stdout, stderr)
	case "crawl":
		err = runCrawl(ctx, rest, stdout, stderr)
	case "export":
		err = runExport(ctx, rest, stdout, stderr)
	case jobRunCommand:
		return runJobRun(ctx, rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "scouter: unknown command %q (run scouter --help)\n", cmd)
		return exitUsage
	}
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "scouter %s: %s\n", cmd, ue.msg)
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(stderr, "scouter %s: %s\n", cmd, oneLine(err))
		return 1
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError ends the process with a code after the command printed its own
// outcome.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
}

// Config is what every command shares: where the database is and how to log.
type Config struct {
	DB        string
	DataDir   string
	LogLevel  string
	LogFormat string
}

func (c *Config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", os.Getenv("SCOUTER_DB"), "database: postgres://… URL or SQLite file path")
	fs.StringVar(&c.DataDir, "data-dir", envOr("SCOUTER_DATA_DIR", defaultDataDir()), "data directory")
	fs.StringVar(&c.LogLevel, "log-level", envOr("SCOUTER_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", envOr("SCOUTER_LOG_FORMAT", "text"), "text or json")
}

func (c *Config) validate() error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return usagef("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return usagef("--log-format %q: use text or json", c.LogFormat)
	}
	if c.DB == "" && c.DataDir == "" {
		return usagef("no database: set --db or --data-dir")
	}
	return nil
}

func (c *Config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (c *Config) open(ctx context.Context, log *slog.Logger, o store.Options) (*store.DB, error) {
	o.DSN, o.DataDir, o.Logger = c.DB, c.DataDir, log
	return store.Open(ctx, o)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "scouter")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "scouter")
	}
	return "scouter-data"
}

// parse parses flags, turning flag errors into usage errors; flag prints
// its own message and usage to stderr.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitError{exitUsage}
	}
	return nil
}
