package bolt

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
	"go.uber.org/goleak"
)

// Crashes and failures: what a reopen finds after a process dies without
// Close, and how failed writes surface.

// copyFiles copies a state file and its journals, as a crash would
// leave them, into a new directory and returns the copy's path.
func copyFiles(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	for _, p := range [][2]string{{path, dst}, {journalPath(path), journalPath(dst)}, {commitPath(path), commitPath(dst)}} {
		data, err := os.ReadFile(p[0])
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p[1], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestBoltCrashReplay(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	now := time.Now()
	appendFile := func(tail []byte) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			f, err := os.OpenFile(journalPath(path), os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write(tail); err != nil {
				t.Fatal(err)
			}
		}
	}
	ghost := statetest.Image("http://h/ghost.png", 0)
	record := endRecord(appendAddOp(beginRecord(nil), 99, &ghost))
	for _, tc := range []struct {
		name    string
		flush   bool // commit the adds before the crash
		damage  func(t *testing.T, path string)
		wantErr string
	}{
		{name: "journal only"},
		{name: "db and journal", flush: true},
		{name: "torn header", damage: appendFile(record[:5])},
		{name: "torn payload", damage: appendFile(record[:len(record)-3])},
		{name: "zeros at the end", damage: appendFile(make([]byte, 100))},
		{name: "leftover applied journal", flush: true, damage: func(t *testing.T, path string) {
			// A crash between a commit and the delete of its journal.
			data, err := os.ReadFile(journalPath(path))
			if err != nil {
				t.Fatal(err)
			}
			// The generation before the active journal's: the last one
			// committed.
			gen := binary.LittleEndian.Uint64(data[8:16])
			binary.LittleEndian.PutUint64(data[8:16], gen-1)
			if err := os.WriteFile(commitPath(path), append(data, record...), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "corrupt record in the middle", wantErr: "corrupt journal record", damage: func(t *testing.T, path string) {
			data, err := os.ReadFile(journalPath(path))
			if err != nil {
				t.Fatal(err)
			}
			data[journalHeader+recordHeader+2] ^= 0xff
			if err := os.WriteFile(journalPath(path), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "not a journal", wantErr: "not an imgcrawl journal", damage: func(t *testing.T, path string) {
			if err := os.WriteFile(journalPath(path), []byte(strings.Repeat("garbage!", 10)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			b := testOpen(t, path, time.Hour) // no background commit
			defer b.Close()
			var mid func()
			if tc.flush {
				mid = func() { testFlush(t, b) }
			}
			want := testWork(t, b, now, mid)
			crashed := copyFiles(t, path)
			if tc.damage != nil {
				tc.damage(t, crashed)
			}
			c, err := Open(crashed, Options{NoSync: true})
			if tc.wantErr != "" {
				if err == nil {
					c.Close()
					t.Fatalf("OpenBolt succeeded, want error %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), crashed) {
					t.Errorf("error %q does not say %q and name %s", err, tc.wantErr, crashed)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenBolt: %v", err)
			}
			defer c.Close()
			testCheck(t, c, now, want)
		})
	}
}

func TestBoltCommitFailureSticks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Hour)
	var want []string
	for i := range 200 {
		u := fmt.Sprintf("http://h/%d/%s", i, strings.Repeat("x", 200))
		statetest.MustAdd(t, b, statetest.Page(u, 0))
		want = append(want, u)
	}
	// Forbid the file to grow: the commit fails, as on a full disk. The
	// background committer is idle (hourly), so this does not race.
	b.db.MaxSize = 1
	err := b.Flush(ctx)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Flush = %v, want an error naming %s", err, path)
	}
	if _, aerr := b.Add(ctx, []state.Item{statetest.Page("http://h/b", 0)}); !errors.Is(aerr, err) {
		t.Errorf("Add after a failed commit: %v, want %v", aerr, err)
	}
	if _, terr := b.Take(ctx, 1, time.Now()); !errors.Is(terr, err) {
		t.Errorf("Take after a failed commit: %v, want %v", terr, err)
	}
	if cerr := b.Close(); !errors.Is(cerr, err) {
		t.Errorf("Close after a failed commit: %v, want %v", cerr, err)
	}
	// The journal kept what the commit lost.
	b = testOpen(t, path, time.Hour)
	defer b.Close()
	statetest.WantURLs(t, "Take after reopen", statetest.MustTake(t, b, 1000, time.Now()), want...)
}

func TestBoltJournalWriteFailureSticks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Hour)
	defer b.Close()
	b.jf.Close() // writes now fail
	if _, err := b.Add(ctx, []state.Item{statetest.Page("http://h/a", 0)}); err == nil || !strings.Contains(err.Error(), journalPath(path)) {
		t.Fatalf("Add = %v, want an error naming the journal", err)
	}
	if c := statetest.MustCounts(t, b); c != (state.Counts{}) {
		t.Errorf("a failed Add changed the counts: %+v", c)
	}
	if err := b.Done(ctx, statetest.Page("http://h/a", 0), state.Outcome{}); err == nil {
		t.Error("Done after a failed journal write succeeded")
	}
	if err := b.Flush(ctx); err == nil {
		t.Error("Flush after a failed journal write succeeded")
	}
}

// TestBoltLeavesNoFilesOpen guards against leaking the journal's handle
// across rotations.
func TestBoltLeavesNoFilesOpen(t *testing.T) {
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(ents)
	}
	before := fds()
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Hour)
	for i := range 20 {
		statetest.MustAdd(t, b, statetest.Page("http://h/"+strings.Repeat("x", i), 0))
		if err := b.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if after := fds(); after > before {
		t.Errorf("%d file descriptors open before, %d after", before, after)
	}
}

// TestBoltConcurrentWork runs workers against a state whose committer runs
// every millisecond, then checks that a reopen sees what they left.
func TestBoltConcurrentWork(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Millisecond)
	statetest.MustAdd(t, b, statetest.Page("http://h/", 0))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 300 {
				items, err := b.Take(ctx, 4, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				for _, it := range items {
					// Each page links to two pages and an image, some
					// shared between workers.
					links := []state.Item{
						statetest.Page(fmt.Sprintf("%s/%d", it.URL, i%3), it.Depth+1),
						statetest.Page(fmt.Sprintf("http://h/w%d/%d", w, i), it.Depth+1),
						statetest.Image(fmt.Sprintf("http://h/%d.png", i%50), it.Depth),
					}
					if it.Kind == state.KindImage {
						links = nil
					}
					if _, err := b.Add(ctx, links); err != nil {
						t.Error(err)
						return
					}
					var err error
					if i%7 == 0 {
						it.Attempt++
						err = b.Requeue(ctx, it)
					} else {
						err = b.Done(ctx, it, state.Outcome{Status: state.Saved, Bytes: 1})
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	before := statetest.MustCounts(t, b)
	if before.PagesDone == 0 || before.Saved == 0 || before.PagesPending == 0 {
		t.Fatalf("workers did too little: %+v", before)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = testOpen(t, path, time.Hour)
	defer b.Close()
	if after := statetest.MustCounts(t, b); after != before {
		t.Errorf("counts after reopen = %+v, want %+v", after, before)
	}
}

// TestBoltSeesChangesBeingCommitted stops a commit between its journal
// rotation and its transaction: calls in that window must see the changes
// that are in neither the file nor the current batch.
func TestBoltSeesChangesBeingCommitted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Hour)
	defer b.Close()
	sum := sha256.Sum256([]byte("x"))
	statetest.MustAdd(t, b, statetest.Page("http://h/a", 0))
	if _, _, err := b.ClaimContent(ctx, sum, "a.png", state.KeyOf("a.png")); err != nil {
		t.Fatal(err)
	}
	// The first half of commit.
	b.commitMu.Lock()
	batch, gen, err := b.beginCommit(false)
	if batch == nil {
		t.Fatal("nothing to commit", err)
	}

	if added := statetest.MustAdd(t, b, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0)); !reflect.DeepEqual(added, []bool{false, true}) {
		t.Errorf("Add during a commit = %v, want [false true]", added)
	}
	if owner, first, err := b.ClaimContent(ctx, sum, "b.png", state.KeyOf("b.png")); err != nil || first || owner != "a.png" {
		t.Errorf("ClaimContent during a commit = %q, %v, %v", owner, first, err)
	}

	// The second half.
	var claims []claimRec
	err = b.db.Update(func(tx *bbolt.Tx) error {
		claims, err = applyOps(tx, batch.ops, gen)
		return err
	})
	if err := b.endCommit(false, claims, err); err != nil {
		t.Fatal(err)
	}
	b.commitMu.Unlock()

	if added := statetest.MustAdd(t, b, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0)); !reflect.DeepEqual(added, []bool{false, false}) {
		t.Errorf("Add after the commit = %v, want [false false]", added)
	}
	if owner, first, err := b.ClaimContent(ctx, sum, "b.png", state.KeyOf("b.png")); err != nil || first || owner != "a.png" {
		t.Errorf("ClaimContent after the commit = %q, %v, %v", owner, first, err)
	}
}
