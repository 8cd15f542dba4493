package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/scouter-seo/scouter/internal/export"
	"github.com/scouter-seo/scouter/internal/store"
)

const exportUsage = `Usage: scouter export --crawl ID [--what pages|links|findings] [--format csv|jsonl] [-o FILE]

Writes a crawl's pages or links as CSV or JSON Lines, streamed: to stdout, or
to FILE (written whole or not at all).

Flags:
`

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var cfg Config
	cfg.register(fs)
	crawlID := fs.Int64("crawl", 0, "crawl id")
	what := fs.String("what", "pages", "pages, links or findings")
	format := fs.String("format", "csv", "csv or jsonl")
	out := fs.String("o", "", "output file (default stdout)")
	fs.Usage = func() {
		fmt.Fprint(stderr, exportUsage)
		fs.PrintDefaults()
	}
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (run scouter export -h)", fs.Arg(0))
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if *crawlID <= 0 {
		return usagef("--crawl ID is required: a positive crawl id")
	}
	run := export.Pages
	switch *what {
	case "pages":
	case "links":
		run = export.Links
	case "findings":
		run = export.Findings
	default:
		return usagef("--what %q: use pages, links or findings", *what)
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usagef("--format %q: use csv or jsonl", *format)
	}

	db, err := cfg.open(ctx, cfg.logger(stderr), store.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.CrawlGet(ctx, *crawlID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("crawl %d not found", *crawlID)
		}
		return err
	}
	if *out == "" {
		_, err := run(ctx, db, *crawlID, f, stdout)
		return err
	}
	// A temporary file renamed into place: FILE is never left half written.
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	rows, err := run(ctx, db, *crawlID, f, tmp)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d %s of crawl %d to %s\n", rows, *what, *crawlID, *out)
	return nil
}
