package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/scouter-seo/scouter/internal/jobrun"
	"github.com/scouter-seo/scouter/internal/store"
)

// jobRunCommand is the hidden command a worker spawns for one attempt.
const jobRunCommand = "job-run"

// jobKinds lists the job kinds this binary runs.
var jobKinds = slices.Sorted(maps.Keys(handlers(nil)))

// handlers maps job kinds to their code.
func handlers(db *store.DB) map[string]jobrun.Handler {
	return map[string]jobrun.Handler{
		"crawl": crawlHandler(db),
		"audit": auditHandler(db),
		"test":  jobrun.TestJob,
	}
}

func runJobRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(jobRunCommand, flag.ContinueOnError)
	var cfg Config
	cfg.register(fs)
	id := fs.Int64("job", 0, "job id")
	attempt := fs.Int("attempt", 0, "attempt number")
	if err := parse(fs, args, stderr); err != nil || *id <= 0 || *attempt <= 0 {
		fmt.Fprintln(stderr, "scouter job-run: internal command; needs --job and --attempt")
		return exitUsage
	}
	// Stop requests arrive by stdin closing; SIGINT from a terminal must not
	// cut the job short on its own, so only jobrun's handling applies.
	// The database may be restarting: retry for a while before failing the job.
	var db *store.DB
	var err error
	for wait, deadline := 200*time.Millisecond, time.Now().Add(30*time.Second); ; wait = min(wait*2, 3*time.Second) {
		db, err = cfg.open(context.Background(), cfg.logger(stderr), store.Options{MaxConns: 2, NoMmap: true})
		if err == nil || time.Now().After(deadline) {
			break
		}
		fmt.Fprintf(stderr, "warning: %s; retrying\n", oneLine(err))
		time.Sleep(wait)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %s\n", oneLine(err))
		return jobrun.ExitFailed
	}
	defer db.Close()
	// For performance work: a CPU profile of this job process.
	if path := os.Getenv("SCOUTER_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	return jobrun.Run(context.Background(), db, *id, *attempt, handlers(db), os.Stdin, stdout)
}
