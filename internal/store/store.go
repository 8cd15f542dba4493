// Package store is Scouter's database: the mailbox through which the API, the
// workers and the job processes talk. One implementation serves SQLite (the
// embedded default) and PostgreSQL; the SQL that differs lives in dialect_*.go.
package store

import (
	"encoding/json"
	"errors"
	"time"
)

// Domain errors. Each backend maps its driver errors onto these.
var (
	ErrNotFound = errors.New("not found")
	// ErrLeaseLost means the write was fenced off: the job is no longer the
	// caller's attempt (re-queued, finished by someone else, or lease expired).
	ErrLeaseLost = errors.New("lease lost: job is no longer owned by this attempt")
	// ErrSchemaBehind means the database needs `scouter migrate`.
	ErrSchemaBehind = errors.New("database schema is behind")
	// ErrSchemaAhead means the database was migrated by a newer scouter.
	ErrSchemaAhead = errors.New("database schema is newer than this scouter")
	// ErrInvalidState means a transition is not allowed from the job's status.
	ErrInvalidState = errors.New("invalid state")
)

// JobStatus is the lifecycle: pending → queued → running → completed | failed |
// stopped, with stopping between running and stopped.
type JobStatus string

const (
	JobPending   JobStatus = "pending" // waiting for its scheduled time
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobStopping  JobStatus = "stopping"
	JobCompleted JobStatus = "completed"
	JobFailed    JobStatus = "failed"
	JobStopped   JobStatus = "stopped"
)

// Terminal reports whether no further transition can happen.
func (s JobStatus) Terminal() bool {
	return s == JobCompleted || s == JobFailed || s == JobStopped
}

// Active reports whether the job occupies its crawl's single active slot.
func (s JobStatus) Active() bool {
	return s == JobPending || s == JobQueued || s == JobRunning || s == JobStopping
}

// CrawlStatus mirrors the job status onto the crawls table with the
// specification's names (completed → finished, failed → error).
func CrawlStatus(s JobStatus) string {
	switch s {
	case JobCompleted:
		return "finished"
	case JobFailed:
		return "error"
	default:
		return string(s)
	}
}

// Job is one row of the jobs table.
type Job struct {
	ID          int64
	CrawlID     *int64
	Kind        string
	Args        json.RawMessage
	Status      JobStatus
	Attempt     int
	MaxAttempts int

	WorkerID   string
	WorkerHost string
	WorkerPID  int
	ChildPID   int

	LeaseExpiresAt  *time.Time
	HeartbeatAt     *time.Time
	CreatedAt       time.Time
	ScheduledAt     time.Time
	StartedAt       *time.Time
	FinishedAt      *time.Time
	StopRequestedAt *time.Time

	Progress Progress
	Error    string
	ExitCode *int
	LogSeq   int64 // last job_logs seq written
}

// Progress is what a running job reports for the live panel.
type Progress struct {
	Done   int64           `json:"done"`
	Total  int64           `json:"total"`
	Detail json.RawMessage `json:"detail,omitempty"` // kind-specific, small
}

// Lease identifies one attempt of a job. Every write a job's owner makes is
// conditioned on it (fencing).
type Lease struct {
	JobID   int64
	Attempt int
}

// Crawl is one row of the crawls table: the user-facing record of a site
// crawl, kept in step with its latest job.
type Crawl struct {
	ID         int64
	StartURL   string
	Options    json.RawMessage
	Status     string
	LastJobID  *int64
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	Found      int64
	Crawled    int64
	AuditedAt  *time.Time // when the latest audit completed; nil: never audited
}

// LogLevel is the type of a structured log line shown in the panel.
type LogLevel string

const (
	LogDebug LogLevel = "debug"
	LogInfo  LogLevel = "info"
	LogWarn  LogLevel = "warn"
	LogError LogLevel = "error"
)

// ValidLogLevel reports whether l is one of the known levels.
func ValidLogLevel(l LogLevel) bool {
	return l == LogDebug || l == LogInfo || l == LogWarn || l == LogError
}

// LogLine is one row of job_logs. Seq is gapless per job and assigned in
// commit order, so "seq > cursor" never skips a line that committed late.
type LogLine struct {
	JobID     int64     `json:"job_id"`
	Seq       int64     `json:"seq"`
	Attempt   int       `json:"attempt"`
	Level     LogLevel  `json:"level"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxLogMessage caps one log line; longer messages are cut (crawled content
// can end up in messages and is hostile).
const MaxLogMessage = 4096
