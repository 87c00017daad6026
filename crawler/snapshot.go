package crawler

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// DefaultSnapshotInterval is how often the imgcrawl command has a running
// crawl write its Snapshot.
const DefaultSnapshotInterval = 2 * time.Second

// snapshotFormat is the version of the snapshot file's format.
const snapshotFormat = 1

// Snapshot is what a running crawl last said about itself. With
// Config.SnapshotInterval set, Run writes one to SnapshotPath(Out) at the
// start, every interval and when it returns, so that another process can
// see the crawl while it holds the crawl state (a bbolt file allows one
// process at a time). Read it with ReadSnapshot.
type Snapshot struct {
	Format   int           `json:"format"`
	PID      int           `json:"pid"`      // the process running the crawl
	Get      bool          `json:"get"`      // a get (Config.Images), not a crawl
	Started  time.Time     `json:"started"`  // when Run started
	Updated  time.Time     `json:"updated"`  // when this snapshot was written
	Interval time.Duration `json:"interval"` // how often the crawl writes one
	// Running is false in the last snapshot, written as Run returns.
	Running bool `json:"running"`
	// Run is what this run did so far (without Errors and SeedFailures).
	Run Summary `json:"run"`
	// Counts is the state's as last sampled: the whole crawl, earlier runs
	// (and, for a shared state, other processes) included, with what is
	// pending. Zero before the first sample.
	Counts state.Counts `json:"counts"`
	// RequestsPerSec and BytesPerSec are rates over the last few seconds.
	RequestsPerSec float64 `json:"requests_per_sec"`
	BytesPerSec    float64 `json:"bytes_per_sec"`
	// Listed and ListedDone are, for a get whose list length is known
	// (Config.ImagesTotal), its length and how many of its URLs are done.
	Listed     int64 `json:"listed,omitempty"`
	ListedDone int64 `json:"listed_done,omitempty"`
}

// Age is how long ago the snapshot was written.
func (s Snapshot) Age(now time.Time) time.Duration { return now.Sub(s.Updated) }

// Stale reports whether a running crawl's snapshot is older than a few of
// its intervals: the crawl has stopped (killed) or is stuck.
func (s Snapshot) Stale(now time.Time) bool {
	return s.Running && s.Age(now) > 5*max(s.Interval, time.Second)
}

// SnapshotPath returns where a crawl into out keeps its Snapshot.
func SnapshotPath(out string) string { return filepath.Join(out, store.PrivateDir, "status.json") }

// ReadSnapshot reads the Snapshot of the crawl into out. A crawl that never
// wrote one is an error wrapping fs.ErrNotExist.
func ReadSnapshot(out string) (Snapshot, error) {
	var s Snapshot
	path := SnapshotPath(out)
	b, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("crawler: snapshot: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("crawler: snapshot %s: %w", path, err)
	}
	if s.Format != snapshotFormat {
		return s, fmt.Errorf("crawler: snapshot %s: format %d, want %d", path, s.Format, snapshotFormat)
	}
	return s, nil
}

// snapshotter writes a run's snapshots. Owned by the collector, then Run.
type snapshotter struct {
	path     string
	base     Snapshot // the fields that do not change
	interval time.Duration
	last     time.Time
	log      *slog.Logger
	failed   bool // a write failed: said once
}

func newSnapshotter(out string, get bool, listed int64, interval time.Duration, start time.Time, log *slog.Logger) *snapshotter {
	return &snapshotter{
		path: SnapshotPath(out), interval: interval, log: log,
		base: Snapshot{Format: snapshotFormat, PID: os.Getpid(), Get: get, Started: start,
			Interval: interval, Listed: listed},
	}
}

// maybeWrite writes a snapshot when one is due.
func (w *snapshotter) maybeWrite(r reading, now time.Time) {
	if now.Sub(w.last) >= w.interval {
		w.write(r, now, true)
	}
}

// write replaces the snapshot file atomically (a temp file renamed over
// it). A failure is logged, once; it does not stop the crawl.
func (w *snapshotter) write(r reading, now time.Time, running bool) {
	w.last = now
	s := w.base
	s.Updated, s.Running, s.Run = now, running, r.sum
	s.Run.Errors, s.Run.SeedFailures = nil, nil
	if r.counts != nil {
		s.Counts = *r.counts
	}
	s.RequestsPerSec, s.BytesPerSec = r.reqRate, r.byteRate
	if s.Listed > 0 {
		s.ListedDone = r.ended
	}
	if err := writeAtomic(w.path, s); err != nil && !w.failed {
		w.failed = true
		w.log.Warn("crawler: cannot write the status snapshot", "err", err)
	}
}

func writeAtomic(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".status-*.tmp")
	if err != nil {
		return err
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
