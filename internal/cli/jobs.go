package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/scouter-seo/scouter/internal/joblog"
	"github.com/scouter-seo/scouter/internal/store"
)

const jobsUsage = `Usage:
  scouter jobs list    [--status S,…] [--limit N]
  scouter jobs show    ID
  scouter jobs logs    ID [--follow] [--after SEQ] [--tail N] [--raw]
  scouter jobs stop    ID
  scouter jobs resume  ID
  scouter jobs enqueue --kind KIND [--args JSON] [--count N] [--crawl ID] [--max-attempts N]
`

func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, jobsUsage)
		return exitError{exitUsage}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("jobs "+sub, flag.ContinueOnError)
	var cfg Config
	cfg.register(fs)
	status := fs.String("status", "", "list: comma-separated statuses")
	limit := fs.Int("limit", 50, "list: how many")
	follow := fs.Bool("follow", false, "logs: keep reading until the job ends")
	after := fs.Int64("after", 0, "logs: lines after this seq")
	tail := fs.Int("tail", 0, "logs: only the last N lines (then follow, with --follow)")
	raw := fs.Bool("raw", false, "logs: the job process's raw output instead")
	kind := fs.String("kind", "", "enqueue: job kind")
	jargs := fs.String("args", "{}", "enqueue: job arguments as JSON")
	count := fs.Int("count", 1, "enqueue: how many jobs")
	crawl := fs.Int64("crawl", 0, "enqueue: crawl id")
	maxAttempts := fs.Int("max-attempts", 3, "enqueue: expired leases before giving up")
	// Flags may come before or after the id.
	var pos []string
	for {
		if err := parse(fs, args, stderr); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	needID := func() (int64, error) {
		if len(pos) != 1 {
			return 0, usagef("%s needs one job id", sub)
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return 0, usagef("%q is not a job id", pos[0])
		}
		return id, nil
	}
	var id int64
	switch sub {
	case "show", "logs", "stop", "resume":
		var err error
		if id, err = needID(); err != nil {
			return err
		}
	case "list", "enqueue":
	default:
		fmt.Fprint(stderr, jobsUsage)
		return usagef("unknown jobs command %q", sub)
	}
	db, err := cfg.open(ctx, cfg.logger(stderr), store.Options{Notify: sub == "logs" && *follow, MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	notFound := func(err error) error {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("job %d not found", id)
		}
		return err
	}

	switch sub {
	case "list":
		var p store.JobListParams
		p.Limit = *limit
		for _, s := range strings.Split(*status, ",") {
			if s = strings.TrimSpace(s); s != "" {
				p.Statuses = append(p.Statuses, store.JobStatus(s))
			}
		}
		jobs, err := db.JobList(ctx, p)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tATTEMPT\tPROGRESS\tWORKER\tCREATED")
		for _, j := range jobs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.Status, j.Attempt, j.Progress.Done, j.Progress.Total, j.WorkerID, j.CreatedAt.Local().Format(time.DateTime))
		}
		return tw.Flush()
	case "show":
		j, err := db.JobGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		return printJob(stdout, j)
	case "stop":
		j, err := db.JobStopRequest(ctx, id)
		if err != nil {
			return notFound(err)
		}
		fmt.Fprintf(stdout, "job %d is %s\n", j.ID, j.Status)
		return nil
	case "resume":
		j, created, err := db.JobResume(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if created {
			fmt.Fprintf(stdout, "job %d resumes job %d\n", j.ID, id)
		} else {
			fmt.Fprintf(stdout, "job %d of the same crawl is already %s\n", j.ID, j.Status)
		}
		return nil
	case "enqueue":
		if *kind == "" {
			return usagef("enqueue needs --kind")
		}
		if !json.Valid([]byte(*jargs)) {
			return usagef("--args is not valid JSON")
		}
		p := store.JobEnqueueParams{Kind: *kind, Args: json.RawMessage(*jargs), MaxAttempts: *maxAttempts}
		if *crawl > 0 {
			p.CrawlID = crawl
		}
		for range max(*count, 1) {
			j, _, err := db.JobEnqueue(ctx, p)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, j.ID)
		}
		return nil
	}

	// logs
	if _, err := db.JobGet(ctx, id); err != nil {
		return notFound(err)
	}
	if *raw {
		return db.JobOutput(ctx, id, 0, func(b []byte) error { _, err := stdout.Write(b); return err })
	}
	cursor := *after
	if *tail > 0 {
		lines, err := db.JobLogs(ctx, store.JobLogsParams{JobID: id, Tail: true, Limit: *tail})
		if err != nil {
			return err
		}
		printLines(stdout, lines)
		if !*follow {
			return nil
		}
		if len(lines) > 0 {
			cursor = lines[len(lines)-1].Seq
		}
	}
	if !*follow {
		for {
			lines, err := db.JobLogs(ctx, store.JobLogsParams{JobID: id, After: cursor, Limit: 1000})
			if err != nil || len(lines) == 0 {
				return err
			}
			printLines(stdout, lines)
			cursor = lines[len(lines)-1].Seq
		}
	}
	j, err := joblog.Follow(ctx, db, id, cursor, func(lines []store.LogLine) error {
		printLines(stdout, lines)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "job %d %s\n", j.ID, j.Status)
	if j.Status != store.JobCompleted {
		return exitError{1}
	}
	return nil
}

func printLines(w io.Writer, lines []store.LogLine) {
	for _, l := range lines {
		fmt.Fprintf(w, "%s %-5s [attempt %d] %s\n", l.CreatedAt.Local().Format("15:04:05.000"), strings.ToUpper(string(l.Level)), l.Attempt, l.Message)
	}
}

func printJob(w io.Writer, j store.Job) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	t := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.Local().Format(time.RFC3339)
	}
	crawl := "-"
	if j.CrawlID != nil {
		crawl = strconv.FormatInt(*j.CrawlID, 10)
	}
	exit := "-"
	if j.ExitCode != nil {
		exit = strconv.Itoa(*j.ExitCode)
	}
	fmt.Fprintf(tw, "id\t%d\nkind\t%s\ncrawl\t%s\nstatus\t%s\nattempt\t%d of at most %d lost leases\n", j.ID, j.Kind, crawl, j.Status, j.Attempt, j.MaxAttempts)
	fmt.Fprintf(tw, "args\t%s\nworker\t%s (host %s, pid %d, child pid %d)\n", j.Args, j.WorkerID, j.WorkerHost, j.WorkerPID, j.ChildPID)
	fmt.Fprintf(tw, "progress\t%d/%d %s\n", j.Progress.Done, j.Progress.Total, j.Progress.Detail)
	fmt.Fprintf(tw, "created\t%s\nstarted\t%s\nfinished\t%s\nlease until\t%s\nstop requested\t%s\n", t(&j.CreatedAt), t(j.StartedAt), t(j.FinishedAt), t(j.LeaseExpiresAt), t(j.StopRequestedAt))
	fmt.Fprintf(tw, "exit code\t%s\nerror\t%s\nlog lines\t%d\n", exit, j.Error, j.LogSeq)
	return tw.Flush()
}
