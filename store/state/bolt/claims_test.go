package bolt

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
)

// Hashes that share their first 8 bytes share a slot of the claims index;
// each must still find its own claim, before and after a commit and a
// reopen, and a third must not be taken for either.
func TestBoltClaimPrefixCollision(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	var a, b, c [32]byte
	for i, s := range []*[32]byte{&a, &b, &c} {
		copy(s[:], "prefix!!")
		s[31] = byte(i + 1)
	}
	claim := func(st *State, sum [32]byte, path, wantOwner string, wantFirst bool) {
		t.Helper()
		owner, first, err := st.ClaimContent(ctx, sum, path, state.KeyOf(path))
		if err != nil || owner != wantOwner || first != wantFirst {
			t.Errorf("ClaimContent(%x…%x, %q) = %q, %v, %v; want %q, %v", sum[:2], sum[31], path, owner, first, err, wantOwner, wantFirst)
		}
	}
	st := testOpen(t, path, time.Hour)
	claim(st, a, "a.png", "a.png", true)
	testFlush(t, st)
	claim(st, b, "b.png", "b.png", true) // the prefix is a's
	claim(st, a, "x.png", "a.png", false)
	claim(st, b, "x.png", "b.png", false)
	testFlush(t, st)
	claim(st, b, "x.png", "b.png", false)
	claim(st, a, "x.png", "a.png", false)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = testOpen(t, path, time.Hour)
	defer st.Close()
	claim(st, a, "x.png", "a.png", false)
	claim(st, b, "x.png", "b.png", false)
	claim(st, c, "c.png", "c.png", true)
	testFlush(t, st)
	claim(st, c, "x.png", "c.png", false)
}

// A version 1 file keeps a seen bucket and a content bucket keyed by hash.
// Open converts it, with a journal the old version left behind, and
// the crawl goes on as if nothing changed.
func TestBoltUpgradeV1(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	path := filepath.Join(t.TempDir(), "state.db")
	st := testOpen(t, path, time.Hour)
	want := testWork(t, st, now, nil)
	if _, _, err := st.ClaimContent(ctx, [32]byte{1}, "h/journaled.png", state.KeyOf("h/journaled.png")); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	testDowngrade(t, path)
	// A journal of the next generation: an add and a claim not committed.
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var applied uint64
	_ = db.View(func(tx *bbolt.Tx) error { applied = appliedGen(tx); return nil })
	db.Close()
	jf, err := createJournal(journalPath(path), applied+1)
	if err != nil {
		t.Fatal(err)
	}
	var seq uint64 = 1000
	late := statetest.Image("http://h/late.png", 0)
	rec := appendAddOp(beginRecord(nil), seq, &late)
	rec = appendClaimOp(rec, &[32]byte{2}, "h/late.png", state.KeyOf("h/late.png"))
	if _, err := jf.Write(endRecord(rec)); err != nil {
		t.Fatal(err)
	}
	jf.Close()

	st = testOpen(t, path, time.Hour)
	defer st.Close()
	if err := st.db.View(func(tx *bbolt.Tx) error {
		if v, _ := binary.Uvarint(tx.Bucket(bucketMeta).Get(keyVersion)); v != fileVersion {
			t.Errorf("version after the upgrade = %d, want %d", v, fileVersion)
		}
		for _, name := range [][]byte{bucketSeenV1, bucketContentV1} {
			if tx.Bucket(name) != nil {
				t.Errorf("bucket %s kept after the upgrade", name)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The journaled item is pending too; testCheck does not expect it.
	got := statetest.MustTake(t, st, 10, now)
	statetest.WantURLs(t, "Take now", got, want[0], want[1], "http://h/late.png")
	for _, it := range got {
		if err := st.Requeue(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if added := statetest.MustAdd(t, st, late); added[0] {
		t.Error("the journaled item was added again")
	}
	for sum, path := range map[[32]byte]string{{1}: "h/journaled.png", {2}: "h/late.png"} {
		if owner, first, err := st.ClaimContent(ctx, sum, "other", state.KeyOf("other")); err != nil || first || owner != path {
			t.Errorf("ClaimContent(%x) = %q, %v, %v; want %q", sum[0], owner, first, err, path)
		}
	}
}

// testDowngrade rewrites a closed state file in the version 1 layout.
func testDowngrade(t *testing.T, path string) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		seen, err := tx.CreateBucket(bucketSeenV1)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketQueue, bucketDone} {
			if err := tx.Bucket(name).ForEach(func(_, v []byte) error {
				return seen.Put(append([]byte(nil), v[:len(state.Key{})]...), []byte{v[len(state.Key{})]})
			}); err != nil {
				return err
			}
		}
		content, err := tx.CreateBucket(bucketContentV1)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketClaims).ForEach(func(_, v []byte) error {
			sum, c, err := decodeClaim(v)
			if err != nil {
				return err
			}
			return content.Put(sum[:], []byte(c.path))
		}); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketClaims); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, binary.AppendUvarint(nil, 1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The claim index finds every claim added, across merges of its recent
// claims into the sorted slice, keeps colliding prefixes apart, and finds
// nothing under a prefix no claim has.
func TestClaimIndexAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := newBoltClaimIndex()
	want := map[[32]byte]uint64{}
	var sums [][32]byte
	for seq := uint64(1); seq <= 20000; seq++ {
		var sum [32]byte
		if seq%997 == 0 {
			// A prefix an earlier claim has, with another hash.
			sum = sums[rng.IntN(len(sums))]
			sum[31] ^= 0xff
		} else {
			for i := range sum {
				sum[i] = byte(rng.Uint32())
			}
		}
		x.add(sum, seq)
		want[sum] = seq
		sums = append(sums, sum)
		if seq%1500 == 0 || seq == 20000 {
			for s, wantSeq := range want {
				if got, ok := x.find(s); !ok || got != wantSeq {
					t.Fatalf("after %d claims: find(%x…) = %d, %v; want %d", seq, s[:4], got, ok, wantSeq)
				}
			}
		}
	}
	if len(x.sorted) == 0 {
		t.Fatal("nothing was merged into the sorted slice")
	}
	if len(x.whole) == 0 {
		t.Fatal("no colliding prefix was kept whole")
	}
	for range 1000 {
		var sum [32]byte
		for i := range sum {
			sum[i] = byte(rng.Uint32())
		}
		if _, ok := want[sum]; ok {
			continue
		}
		if seq, ok := x.find(sum); ok {
			t.Fatalf("find(%x…) of a hash never claimed = %d", sum[:4], seq)
		}
	}
}
