package bolt

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
	"go.uber.org/goleak"
)

// testOpen opens a state file, failing the test on error.
func testOpen(t *testing.T, path string, interval time.Duration) *State {
	t.Helper()
	b, err := Open(path, Options{NoSync: true, CommitInterval: interval})
	if err != nil {
		t.Fatalf("OpenBolt: %v", err)
	}
	return b
}

// testWork brings a state to a known point: two depth-0 pages and four
// images added; page a and images 1 and 2 acknowledged, image 3 requeued
// for later, page b and image 4 handed out and never acknowledged. It
// returns the URLs that must be handed out again after a reopen, in order.
// mid, if not nil, runs after the items are added.
func testWork(t *testing.T, s state.State, now time.Time, mid func()) []string {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveMeta(ctx, []byte("meta-1")); err != nil {
		t.Fatal(err)
	}
	statetest.MustAdd(t, s, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0),
		statetest.Image("http://h/1.png", 0), statetest.Image("http://h/2.png", 0))
	statetest.MustAdd(t, s, statetest.Image("http://h/3.png", 0), statetest.Image("http://h/4.png", 0), statetest.Page("http://h/deep", 1))
	if mid != nil {
		mid()
	}
	for _, it := range statetest.MustTake(t, s, 10, now) {
		switch it.URL {
		case "http://h/a":
			statetest.MustDone(t, s, it, state.Outcome{Status: state.Parsed})
		case "http://h/1.png":
			statetest.MustDone(t, s, it, state.Outcome{Status: state.Saved, Bytes: 1000})
		case "http://h/2.png":
			statetest.MustDone(t, s, it, state.Outcome{Status: state.Duplicate})
		case "http://h/3.png":
			it.Attempt = 1
			it.NotBefore = now.Add(time.Hour)
			if err := s.Requeue(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := s.ClaimContent(ctx, sha256.Sum256([]byte("one")), "h/1.png", state.KeyOf("h/1.png")); err != nil {
		t.Fatal(err)
	}
	return []string{"http://h/b", "http://h/4.png", "http://h/3.png"}
}

// testCheck verifies a reopened state against testWork.
func testCheck(t *testing.T, s state.State, now time.Time, want []string) {
	t.Helper()
	ctx := context.Background()
	if m, ok, err := s.LoadMeta(ctx); err != nil || !ok || string(m) != "meta-1" {
		t.Errorf("LoadMeta = %q, %v, %v", m, ok, err)
	}
	wantCounts := state.Counts{PagesDone: 1, PagesPending: 2, ImagesPending: 2, Saved: 1, Duplicates: 1, Bytes: 1000, Seen: 7}
	if c := statetest.MustCounts(t, s); c != wantCounts {
		t.Errorf("counts = %+v, want %+v", c, wantCounts)
	}
	// The requeued image is not due yet, and the depth-1 page waits for b.
	statetest.WantURLs(t, "Take now", statetest.MustTake(t, s, 10, now), want[:2]...)
	got := statetest.MustTake(t, s, 10, now.Add(2*time.Hour))
	statetest.WantURLs(t, "Take later", got, want[2:]...)
	if len(got) == 1 && (got[0].Attempt != 1 || got[0].Page != "http://h/page") {
		t.Errorf("requeued item came back as %+v", got[0])
	}
	if added := statetest.MustAdd(t, s, statetest.Page("http://h/a", 0), statetest.Image("http://h/1.png", 0), statetest.Image("http://h/new.png", 0)); !reflect.DeepEqual(added, []bool{false, false, true}) {
		t.Errorf("Add after reopen = %v, want [false false true]", added)
	}
	owner, first, err := s.ClaimContent(ctx, sha256.Sum256([]byte("one")), "other", state.KeyOf("other"))
	if err != nil || first || owner != "h/1.png" {
		t.Errorf("ClaimContent after reopen = %q, %v, %v", owner, first, err)
	}
}

func TestBoltReopen(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	now := time.Now()
	for _, tc := range []struct {
		name     string
		interval time.Duration
		flush    bool
	}{
		{"journal only", time.Hour, false},
		{"flushed", time.Hour, true},
		{"busy committer", time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sub", "state.db")
			b := testOpen(t, path, tc.interval)
			var mid func()
			if tc.flush {
				mid = func() { testFlush(t, b) }
			}
			want := testWork(t, b, now, mid)
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{journalPath(path), commitPath(path)} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left after Close: %v", p, err)
				}
			}
			b = testOpen(t, path, tc.interval)
			defer b.Close()
			testCheck(t, b, now, want)
		})
	}
}

func testFlush(t *testing.T, b *State) {
	t.Helper()
	if err := b.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func TestBoltReopenKeepsOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Hour)
	var want []string
	for _, u := range []string{"http://h/z", "http://h/a", "http://h/m", "http://h/b"} {
		statetest.MustAdd(t, b, statetest.Page(u, 1))
		want = append(want, u)
	}
	statetest.MustAdd(t, b, statetest.Page("http://h/d2", 2))
	if err := b.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	statetest.MustAdd(t, b, statetest.Page("http://h/y", 1))
	want = append(want, "http://h/y")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = testOpen(t, path, time.Hour)
	defer b.Close()
	statetest.WantURLs(t, "Take after reopen", statetest.MustTake(t, b, 20, time.Now()), want...)
}

func TestBoltOpenErrors(t *testing.T) {
	writeFile := func(data []byte) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	withBolt := func(fn func(tx *bbolt.Tx) error) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			db, err := bbolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(fn); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string
	}{
		{"garbage", writeFile([]byte(strings.Repeat("not a database\n", 1000))), "not an imgcrawl state file"},
		{"short garbage", writeFile([]byte("hello")), "not an imgcrawl state file"},
		{"foreign bbolt", withBolt(func(tx *bbolt.Tx) error {
			_, err := tx.CreateBucket([]byte("users"))
			return err
		}), "not an imgcrawl state file"},
		{"newer version", func(t *testing.T, path string) {
			b := testOpen(t, path, time.Hour)
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			withBolt(func(tx *bbolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keyVersion, []byte{fileVersion + 1})
			})(t, path)
		}, "newer imgcrawl"},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "state file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tc.setup(t, path)
			before, _ := os.ReadFile(path)
			b, err := Open(path, Options{NoSync: true})
			if err == nil {
				b.Close()
				t.Fatal("OpenBolt succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) || !strings.HasPrefix(err.Error(), "bolt: ") {
				t.Errorf("error %q: want prefix \"bolt: \", %q and the path", err, tc.wantErr)
			}
			if after, _ := os.ReadFile(path); tc.name != "foreign bbolt" && !reflect.DeepEqual(before, after) {
				t.Error("OpenBolt changed the file it refused")
			}
		})
	}
}

func TestBoltInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	b := testOpen(t, path, time.Hour)
	defer b.Close()
	want := "bolt: state file " + path + " is in use by another imgcrawl"
	if _, err := Open(path, Options{}); err == nil || err.Error() != want || !errors.Is(err, ErrInUse) {
		t.Errorf("second Open: %v, want %q (ErrInUse)", err, want)
	}
	if err := Remove(path); err == nil || err.Error() != want || !errors.Is(err, ErrInUse) {
		t.Errorf("Remove of an open state: %v, want %q (ErrInUse)", err, want)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("state file gone: %v", err)
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	b := testOpen(t, path, time.Hour)
	statetest.MustAdd(t, b, statetest.Page("http://h/a", 0))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{journalPath(path), commitPath(path)} {
		if err := os.WriteFile(p, []byte("left over"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left after Remove: %v", left)
	}
	if err := Remove(path); err != nil {
		t.Errorf("Remove of a missing state: %v", err)
	}
	b = testOpen(t, path, time.Hour)
	defer b.Close()
	if c := statetest.MustCounts(t, b); c != (state.Counts{}) {
		t.Errorf("counts after Remove = %+v, want zero", c)
	}
}

// TestBoltReopenStylesheets checks that style sheet items, pending and
// done, survive a reopen from the journal and from the committed file.
func TestBoltReopenStylesheets(t *testing.T) {
	now := time.Now()
	for _, flush := range []bool{false, true} {
		t.Run(map[bool]string{false: "journal only", true: "flushed"}[flush], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			b := testOpen(t, path, time.Hour)
			done := statetest.Stylesheet("http://h/a.css", 0, "http://h/")
			pending := statetest.Stylesheet("http://h/b.css", 0, "http://h/")
			pending.Origin, pending.Hops = "http://h/old-b.css", 1
			statetest.MustAdd(t, b, done, pending)
			for _, it := range statetest.MustTake(t, b, 10, now) {
				if it.URL == done.URL {
					statetest.MustDone(t, b, it, state.Outcome{Status: state.Parsed})
				}
			}
			if flush {
				testFlush(t, b)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			b = testOpen(t, path, time.Hour)
			defer b.Close()
			if added := statetest.MustAdd(t, b, done); added[0] {
				t.Error("a done style sheet was added again after reopen")
			}
			got := statetest.MustTake(t, b, 10, now)
			if len(got) != 1 || !reflect.DeepEqual(got[0], pending) {
				t.Fatalf("Take after reopen = %+v, want [%+v]", got, pending)
			}
			if c := statetest.MustCounts(t, b); c.PagesDone != 1 || c.PagesPending != 1 {
				t.Errorf("counts = %+v, want 1 page-like done and 1 pending", c)
			}
		})
	}
}
