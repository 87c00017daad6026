package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// State is where a job is in its life.
type State string

// The states. A job the service was running or had queued when it stopped
// (a crash, kill -9, a shutdown) is queued again when it starts.
const (
	Queued   State = "queued"
	Running  State = "running"
	Done     State = "done"     // the crawl ended: everything was tried
	Failed   State = "failed"   // a fatal error (configuration, disk, state) stopped it
	Canceled State = "canceled" // stopped by a cancel; resume continues it
)

// finished reports whether a job in state s waits for nothing.
func (s State) finished() bool { return s == Done || s == Failed || s == Canceled }

// Record is a job as job.json keeps it and the API shows it.
type Record struct {
	ID string `json:"id"`
	Spec
	State    State     `json:"state"`
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`  // the last run's start
	Finished time.Time `json:"finished,omitzero"` // the last run's end
	Runs     int       `json:"runs"`              // runs started, resumes included
	Error    string    `json:"error,omitempty"`   // why the last run failed
}

// Job is one crawl or get under DATA/jobs/ID. Safe for concurrent use.
type Job struct {
	dir  string // DATA/jobs/ID ("" for a single crawl's view)
	out  string
	live *live
	// thumbs makes the gallery's thumbnails; nil without a gallery.
	thumbs *thumbnailer

	mu       sync.Mutex
	snap     *crawler.Snapshot // the last snapshot read, and its file
	snapFile os.FileInfo
	rec      Record
	cancel   context.CancelFunc // set while running
	canceled bool               // the running job was canceled by a user
}

// Out is the job's output folder (an OUT as the command writes it).
func (j *Job) Out() string { return j.out }

// Record returns a copy of the job's record.
func (j *Job) Record() Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.rec
}

// ID returns the job's ID.
func (j *Job) ID() string { return j.Record().ID }

// Status is a job's record with what its crawl says about itself.
type Status struct {
	Record
	// URLCount is how many URLs the job lists (Record.URLs shows the first
	// few).
	URLCount int `json:"url_count"`
	// Run is what the current (or last) run did, from its events.
	Run   Counters   `json:"run"`
	Hosts []HostRow  `json:"hosts,omitempty"`
	Errs  []ErrorRow `json:"recent_errors,omitempty"`
	// Crawl is the crawl's last snapshot (the whole crawl's counts, what is
	// pending, the rates); absent before the first run writes one.
	Crawl *crawler.Snapshot `json:"crawl,omitempty"`
}

// Status returns the job's status.
func (j *Job) Status() Status {
	rec := j.Record()
	st := Status{Record: rec.view(), URLCount: len(rec.URLs)}
	st.Run, st.Hosts, st.Errs = j.live.view()
	st.Crawl = j.snapshot()
	return st
}

// snapshot returns the crawl's last snapshot (nil before one is written),
// reading the file again only when it changed (the crawler writes each
// snapshot to a new file renamed into place): a job list shows every job
// every second.
func (j *Job) snapshot() *crawler.Snapshot {
	fi, err := os.Stat(crawler.SnapshotPath(j.Out()))
	if err != nil {
		return nil
	}
	j.mu.Lock()
	if j.snap != nil && os.SameFile(fi, j.snapFile) {
		defer j.mu.Unlock()
		return j.snap
	}
	j.mu.Unlock()
	snap, err := crawler.ReadSnapshot(j.Out())
	if err != nil {
		return nil
	}
	snap.Run.Errors, snap.Run.SeedFailures = nil, nil
	j.mu.Lock()
	j.snap, j.snapFile = &snap, fi
	j.mu.Unlock()
	return &snap
}

// update changes the record and saves it.
func (j *Job) update(f func(*Record)) error {
	j.mu.Lock()
	f(&j.rec)
	rec := j.rec
	j.mu.Unlock()
	if j.dir == "" {
		return nil
	}
	return saveRecord(j.dir, rec)
}

// newID returns a new job ID: the time, then random hex, so that IDs sort
// by creation.
func newID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// validID reports whether id is one newID could have made (it names a
// folder: no separators, no dots).
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

const recordFile = "job.json"

// saveRecord writes dir/job.json whole or not at all.
func saveRecord(dir string, rec Record) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+recordFile+".tmp")
	// 0600: the options may hold credentials (headers).
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("service: job %s: %w", rec.ID, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, recordFile)); err != nil {
		return fmt.Errorf("service: job %s: %w", rec.ID, err)
	}
	return nil
}

// loadRecord reads dir/job.json.
func loadRecord(dir string) (Record, error) {
	var rec Record
	b, err := os.ReadFile(filepath.Join(dir, recordFile))
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("service: %s: %w", filepath.Join(dir, recordFile), err)
	}
	return rec, nil
}
