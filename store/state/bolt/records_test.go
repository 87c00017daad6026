package bolt

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"go.etcd.io/bbolt"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// records returns what Records hands back, as strings.
func records(t *testing.T, s *State) []string {
	t.Helper()
	var out []string
	err := s.Records(context.Background(), func(rec []byte) error {
		out = append(out, string(rec))
		return nil
	})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	return out
}

// Records come back in acknowledgement order, from the journal (a crash
// before any commit) as from the file, and only for outcomes that had one.
func TestRecordsFollowAcknowledgements(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := testOpen(t, path, time.Hour) // no background commit: all in the journal
	now := time.Now()
	statetest.MustAdd(t, s, statetest.Page("http://h/", 0), statetest.Image("http://h/1.png", 0),
		statetest.Image("http://h/2.png", 0), statetest.Image("http://h/3.png", 0))
	got := statetest.MustTake(t, s, 10, now)
	byURL := map[string]state.Item{}
	for _, it := range got {
		byURL[it.URL] = it
	}
	statetest.MustDone(t, s, byURL["http://h/2.png"], state.Outcome{Status: state.Saved, Bytes: 2, Record: []byte("two")})
	statetest.MustDone(t, s, byURL["http://h/"], state.Outcome{Status: state.Parsed})
	statetest.MustDone(t, s, byURL["http://h/1.png"], state.Outcome{Status: state.Failed, Error: "boom", Record: []byte("one")})
	// 3.png is handed out and never acknowledged: it has no record.

	crashed := copyFiles(t, path) // as kill -9 leaves it: nothing committed
	want := []string{"two", "one"}
	if r := records(t, s); !reflect.DeepEqual(r, want) {
		t.Errorf("Records = %q, want %q", r, want)
	}
	s.Close()

	c := testOpen(t, crashed, time.Hour)
	defer c.Close()
	if r := records(t, c); !reflect.DeepEqual(r, want) {
		t.Errorf("Records after a crash = %q, want %q", r, want)
	}
	if n := statetest.MustCounts(t, c); n.Saved != 1 || n.Failed != 1 || n.Bytes != 2 || n.ImagesPending != 1 {
		t.Errorf("counts after a crash = %+v", n)
	}
}

// A version 2 file (done values without records) opens as version 3 with
// its counts and done items intact, and no records.
func TestUpgradeV2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := testOpen(t, path, time.Hour)
	statetest.MustAdd(t, s, statetest.Image("http://h/1.png", 0), statetest.Image("http://h/2.png", 0))
	items := statetest.MustTake(t, s, 10, time.Now())
	statetest.MustDone(t, s, items[0], state.Outcome{Status: state.Saved, Bytes: 7})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyVersion, binary.AppendUvarint(nil, 2))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s = testOpen(t, path, time.Hour)
	defer s.Close()
	if r := records(t, s); len(r) != 0 {
		t.Errorf("records of a version 2 file = %q", r)
	}
	if n := statetest.MustCounts(t, s); n.Saved != 1 || n.Bytes != 7 || n.ImagesPending != 1 {
		t.Errorf("counts = %+v", n)
	}
	if added := statetest.MustAdd(t, s, statetest.Image("http://h/1.png", 0)); added[0] {
		t.Error("a done item of the version 2 file was added again")
	}
	err = s.db.View(func(tx *bbolt.Tx) error {
		if v, _ := binary.Uvarint(tx.Bucket(bucketMeta).Get(keyVersion)); v != fileVersion {
			t.Errorf("version after open = %d, want %d", v, fileVersion)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A claim remembers its claimer across a commit and a reopen: the same
// item claiming again (redone after a crash) keeps it; another does not.
func TestClaimKeepsClaimer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	sum := [32]byte{7}
	a, b := state.KeyOf("http://h/a.png"), state.KeyOf("http://h/b.png")
	s := testOpen(t, path, time.Hour)
	if _, first, err := s.ClaimContent(ctx, sum, "x.png", a); err != nil || !first {
		t.Fatalf("first claim: %v, %v", first, err)
	}
	check := func(when string, s *State) {
		t.Helper()
		if owner, first, err := s.ClaimContent(ctx, sum, "x.png", a); err != nil || !first || owner != "x.png" {
			t.Errorf("%s: the claimer again = %q, %v, %v; want x.png, true", when, owner, first, err)
		}
		if owner, first, err := s.ClaimContent(ctx, sum, "y.png", b); err != nil || first || owner != "x.png" {
			t.Errorf("%s: another item = %q, %v, %v; want x.png, false", when, owner, first, err)
		}
	}
	check("journaled", s)
	crashed := copyFiles(t, path)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	check("committed", s)
	s.Close()
	for _, p := range []string{path, crashed} {
		s := testOpen(t, p, time.Hour)
		check("reopened "+filepath.Base(p), s)
		s.Close()
	}
}
