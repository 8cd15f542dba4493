package jobrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

// TestArgs drive the "test" job kind, which proves the queue without a
// crawler: it sleeps, emits lines, fails, exits with a code or ignores stop.
type TestArgs struct {
	SleepMs    int    `json:"sleep_ms"`    // total run time, spread over the lines
	Lines      int    `json:"lines"`       // log lines to emit, with progress
	Fail       string `json:"fail"`        // fail with this message at the end
	ExitCode   int    `json:"exit_code"`   // exit the process with this code at the end
	IgnoreStop bool   `json:"ignore_stop"` // keep going after a stop request
	// MarkerDir gets one empty file per execution, named job-attempt-pid, so
	// tests count executions without trusting the database under test.
	MarkerDir string `json:"marker_dir"`
	Output    string `json:"output"` // raw text printed to stdout
}

// TestJob is the handler of the "test" kind.
func TestJob(ctx context.Context, jc *Context) error {
	var a TestArgs
	if err := json.Unmarshal(jc.Job.Args, &a); err != nil {
		return fmt.Errorf("test job: bad args: %w", err)
	}
	if a.MarkerDir != "" {
		name := fmt.Sprintf("%d-%d-%d", jc.Job.ID, jc.Lease.Attempt, os.Getpid())
		if err := os.WriteFile(filepath.Join(a.MarkerDir, name), nil, 0o644); err != nil {
			return err
		}
	}
	if a.Output != "" {
		fmt.Fprint(jc.Log.out, a.Output)
	}
	jc.Log.Info("test job started (attempt %d)", jc.Lease.Attempt)
	steps := max(a.Lines, 1)
	pause := time.Duration(a.SleepMs) * time.Millisecond / time.Duration(steps)
	for i := 1; i <= steps; i++ {
		if err := sleep(ctx, pause, a.IgnoreStop); err != nil {
			jc.Log.Warn("stopping after %d of %d steps", i-1, steps)
			return err
		}
		if a.Lines > 0 {
			jc.Log.Info("line %d of %d", i, a.Lines)
			jc.Progress(store.Progress{Done: int64(i), Total: int64(a.Lines)})
		}
	}
	if a.ExitCode != 0 {
		jc.Log.close()
		os.Exit(a.ExitCode)
	}
	if a.Fail != "" {
		return errors.New(a.Fail)
	}
	jc.Log.Info("test job done")
	return nil
}

func sleep(ctx context.Context, d time.Duration, ignoreStop bool) error {
	if ignoreStop {
		time.Sleep(d)
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
