package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode"

	"github.com/scouter-seo/scouter/internal/auditjob"
	"github.com/scouter-seo/scouter/internal/store"
)

// progressBar prints a crawl's log lines and, on a terminal, keeps a
// progress line under them.
type progressBar struct {
	w    io.Writer
	tty  bool
	mu   sync.Mutex
	last string // the progress line currently drawn
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) line(l store.LogLine) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.erase()
	fmt.Fprintf(b.w, "%s %-5s %s\n", l.CreatedAt.Local().Format("15:04:05"), l.Level, sanitizeTerminal(l.Message))
	b.draw()
}

func (b *progressBar) note(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.erase()
	fmt.Fprintln(b.w, msg)
	b.draw()
}

func (b *progressBar) progress(j store.Job) {
	if !b.tty {
		return
	}
	var detail struct {
		Depth int     `json:"depth"`
		Rate  float64 `json:"pages_per_sec"`
		Phase string  `json:"phase"` // audit jobs
	}
	json.Unmarshal(j.Progress.Detail, &detail)
	done, total := j.Progress.Done, j.Progress.Total
	const width = 24
	filled := 0
	if total > 0 {
		filled = int(min(done, total) * width / total)
	}
	status := string(j.Status)
	if j.Status == store.JobQueued {
		status = "waiting for a worker…"
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	line := fmt.Sprintf("[%s] %d/%d pages · %.0f pages/s · depth %d · %s", bar, done, total, detail.Rate, detail.Depth, status)
	if j.Kind == auditjob.Kind {
		pct := 0
		if total > 0 {
			pct = int(min(done, total) * 100 / total)
		}
		line = fmt.Sprintf("[%s] audit %d%% · %s · %s", bar, pct, detail.Phase, status)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.erase()
	b.last = line
	b.draw()
}

func (b *progressBar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.erase()
	b.last = ""
}

func (b *progressBar) erase() {
	if b.tty && b.last != "" {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func (b *progressBar) draw() {
	if b.tty && b.last != "" {
		fmt.Fprint(b.w, b.last)
	}
}

// sanitizeTerminal keeps crawled text from driving the terminal: control
// characters (escape sequences included) are shown as \xNN.
func sanitizeTerminal(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
