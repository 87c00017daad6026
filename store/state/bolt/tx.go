package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The buckets of a State state file.
var (
	bucketMeta   = []byte("meta")   // magic, version, applied journal generation, crawl metadata
	bucketQueue  = []byte("queue")  // seq -> key + item, for every pending item
	bucketDone   = []byte("done")   // seq -> key + kind + outcome, for every acknowledged item
	bucketClaims = []byte("claims") // bucket sequence -> sha256 + path, for every content claim
	bucketCounts = []byte("counts") // field name -> varint
)

// The buckets of a version 1 file, which Open converts: its seen set
// (key -> kind byte) is the keys of the queue and done buckets, and its
// content index (sha256 -> path) becomes the claims bucket.
var (
	bucketSeenV1    = []byte("seen")
	bucketContentV1 = []byte("content")
)

// Keys of the meta bucket.
var (
	keyMagic   = []byte("magic")
	keyVersion = []byte("version")
	keyApplied = []byte("applied") // the newest journal generation in the file
	keyCrawl   = []byte("crawl")
)

const (
	fileMagic   = "imgcrawl-state"
	fileVersion = 3
)

// countFields names the persisted fields of Counts. The pending counts
// are not stored: they are recomputed from the queue bucket on open.
func countFields(c *state.Counts) []struct {
	name string
	v    *int64
} {
	return []struct {
		name string
		v    *int64
	}{
		{"pages_done", &c.PagesDone},
		{"saved", &c.Saved},
		{"duplicates", &c.Duplicates},
		{"skipped", &c.Skipped},
		{"failed", &c.Failed},
		{"bytes", &c.Bytes},
		{"seen", &c.Seen},
	}
}

// txWriter applies ops inside one read-write transaction. The ops are
// put into bbolt without copying, so their bytes must stay unchanged until
// the transaction ends.
type txWriter struct {
	queue, done, claims, meta *bbolt.Bucket
	counts                    state.Counts
	// fresh is set for a batch this process journaled and now commits for
	// the first time, on top of every earlier batch. Its calls checked the
	// state before them, so no add names a key already seen, no claim a
	// hash already claimed, and every requeue or done names a queue record
	// that exists: the checks that make a replay idempotent are skipped.
	fresh bool
	// transient holds, for a fresh batch, the queue records that the batch
	// both puts and removes (an item added and done between two commits,
	// the common case): false until the put, which is skipped and sets it
	// true; the removal is then skipped too.
	transient map[uint64]bool
	// seen and claimed hold, for a replay, the keys in the queue and done
	// buckets and the hashes in the claims bucket: an add or a claim found
	// there was applied before.
	seen    map[state.Key]struct{}
	claimed map[[32]byte]struct{}
	// claimKeys backs the claims bucket keys this transaction puts; added
	// lists the claims it put, for the state's in-memory index.
	claimKeys []byte
	added     []claimRec
}

// claimRec is a committed claim: a content hash and its claims bucket key.
type claimRec struct {
	sum [32]byte
	seq uint64
}

func newTxWriter(tx *bbolt.Tx) (*txWriter, error) {
	w := &txWriter{
		queue:  tx.Bucket(bucketQueue),
		done:   tx.Bucket(bucketDone),
		claims: tx.Bucket(bucketClaims),
		meta:   tx.Bucket(bucketMeta),
	}
	counts := tx.Bucket(bucketCounts)
	if w.queue == nil || w.done == nil || w.claims == nil || w.meta == nil || counts == nil {
		return nil, fmt.Errorf("missing bucket")
	}
	// Every bucket is keyed by an ever-growing seq, so new keys land at
	// the end: full pages instead of bbolt's default half-full splits halve
	// them.
	w.queue.FillPercent, w.done.FillPercent, w.claims.FillPercent = 1, 1, 1
	w.counts = readCounts(counts)
	return w, nil
}

// newBoltReplayWriter returns a writer for journals found on open, which
// reads the file's keys and hashes first so that an op applied before is
// not applied again.
func newBoltReplayWriter(tx *bbolt.Tx) (*txWriter, error) {
	w, err := newTxWriter(tx)
	if err != nil {
		return nil, err
	}
	w.seen, w.claimed = make(map[state.Key]struct{}), make(map[[32]byte]struct{})
	if err := forEachKey(tx, func(k state.Key) { w.seen[k] = struct{}{} }); err != nil {
		return nil, err
	}
	err = forEachClaim(tx, func(sum [32]byte, _ uint64) { w.claimed[sum] = struct{}{} })
	return w, err
}

// forEachClaim calls fn with the hash and key of every claims record.
func forEachClaim(tx *bbolt.Tx, fn func(sum [32]byte, seq uint64)) error {
	return tx.Bucket(bucketClaims).ForEach(func(k, v []byte) error {
		sum, _, err := decodeClaim(v)
		if err == nil && len(k) != 8 {
			err = errBoltCodec
		}
		if err != nil {
			return fmt.Errorf("claims record %x: %w", k, err)
		}
		fn(sum, binary.BigEndian.Uint64(k))
		return nil
	})
}

// forEachKey calls fn with the key of every item ever added: the
// pending ones in the queue bucket and the acknowledged ones in the done
// bucket. Both kinds of record begin with the key.
func forEachKey(tx *bbolt.Tx, fn func(state.Key)) error {
	for _, name := range [][]byte{bucketQueue, bucketDone} {
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			if len(v) < len(state.Key{}) {
				return fmt.Errorf("%s record %x: %w", name, k, errBoltCodec)
			}
			fn(state.Key(v[:len(state.Key{})]))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// apply performs one op. In a replay, an op that reached the file before
// changes nothing.
func (w *txWriter) apply(op *journalOp) error {
	switch op.code {
	case opAdd:
		if w.seen != nil {
			k := state.Key(op.key)
			if _, ok := w.seen[k]; ok {
				return nil
			}
			w.seen[k] = struct{}{}
		}
		w.counts.Seen++
		return w.queuePut(op.seq, op.value)
	case opRequeue, opDone:
		if applied, err := w.queueRemove(op); applied || err != nil {
			return err
		}
		if op.code == opRequeue {
			return w.queuePut(op.seq2, op.value)
		}
		count(&w.counts, op.kind, op.status, op.bytes)
		return w.done.Put(op.seq2, op.value)
	case opClaim, opClaimBy:
		return w.claim(op)
	case opMeta:
		return w.meta.Put(keyCrawl, op.value)
	}
	return errBoltCodec
}

// claim appends a claim to the claims bucket.
func (w *txWriter) claim(op *journalOp) error {
	sum := [32]byte(op.key)
	if w.claimed != nil {
		if _, ok := w.claimed[sum]; ok {
			return nil
		}
		w.claimed[sum] = struct{}{}
	}
	seq, err := w.claims.NextSequence()
	if err != nil {
		return err
	}
	// Earlier keys keep pointing into the old array when this one grows.
	w.claimKeys = binary.BigEndian.AppendUint64(w.claimKeys, seq)
	w.added = append(w.added, claimRec{sum: sum, seq: seq})
	return w.claims.Put(w.claimKeys[len(w.claimKeys)-8:], op.value)
}

// queuePut puts a queue record, unless the fresh batch removes it again.
func (w *txWriter) queuePut(seq, value []byte) error {
	if w.transient != nil {
		k := binary.BigEndian.Uint64(seq)
		if _, ok := w.transient[k]; ok {
			w.transient[k] = true
			return nil
		}
	}
	return w.queue.Put(seq, value)
}

// queueRemove removes the queue record that op (requeue or done) ends. In
// a replay it reports applied when the record is gone or is another item's:
// the op was applied before, and nothing else of it may be redone.
func (w *txWriter) queueRemove(op *journalOp) (applied bool, err error) {
	if !w.fresh {
		v := w.queue.Get(op.seq)
		if v == nil || !bytes.HasPrefix(v, op.key) {
			return true, nil
		}
	} else if w.transient[binary.BigEndian.Uint64(op.seq)] {
		return false, nil // put by this batch, and skipped
	}
	return false, w.queue.Delete(op.seq)
}

// count counts an acknowledged item's outcome, as Counts.add does.
func count(c *state.Counts, kind state.Kind, status []byte, n int64) {
	c.Add(kind, state.Outcome{Status: state.Status(status), Bytes: n})
}

// finish stores the counts and the applied journal generation.
func (w *txWriter) finish(tx *bbolt.Tx, gen uint64) error {
	counts := tx.Bucket(bucketCounts)
	for _, f := range countFields(&w.counts) {
		if err := counts.Put([]byte(f.name), binary.AppendVarint(nil, *f.v)); err != nil {
			return err
		}
	}
	return w.meta.Put(keyApplied, binary.AppendUvarint(nil, gen))
}

func readCounts(b *bbolt.Bucket) state.Counts {
	var c state.Counts
	for _, f := range countFields(&c) {
		if v := b.Get([]byte(f.name)); v != nil {
			*f.v, _ = binary.Varint(v)
		}
	}
	return c
}

// applyOps applies a fresh batch of ops (see txWriter.fresh), which
// this process journaled and commits right after the batches before it,
// and records gen as applied. It returns the claims it put.
func applyOps(tx *bbolt.Tx, ops []byte, gen uint64) ([]claimRec, error) {
	w, err := newTxWriter(tx)
	if err != nil {
		return nil, err
	}
	w.fresh, w.transient = true, make(map[uint64]bool)
	if err := decodeOps(ops, func(op *journalOp) error {
		if op.code == opRequeue || op.code == opDone {
			w.transient[binary.BigEndian.Uint64(op.seq)] = false
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := decodeOps(ops, w.apply); err != nil {
		return nil, err
	}
	return w.added, w.finish(tx, gen)
}

// initFile checks that tx's file is an imgcrawl state of a version we can
// read, creating the buckets in a new (empty) file.
func initFile(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error {
			empty = false
			return nil
		})
		if !empty {
			return fmt.Errorf("not an imgcrawl state file (no %q record)", fileMagic)
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return err
		}
		if err := meta.Put(keyMagic, []byte(fileMagic)); err != nil {
			return err
		}
		if err := meta.Put(keyVersion, binary.AppendUvarint(nil, fileVersion)); err != nil {
			return err
		}
	}
	if string(meta.Get(keyMagic)) != fileMagic {
		return fmt.Errorf("not an imgcrawl state file (no %q record)", fileMagic)
	}
	v, n := binary.Uvarint(meta.Get(keyVersion))
	if n <= 0 {
		return fmt.Errorf("not an imgcrawl state file (bad version record)")
	}
	if v > fileVersion {
		return fmt.Errorf("written by a newer imgcrawl (state version %d, this one reads %d)", v, fileVersion)
	}
	if !tx.Writable() {
		return nil
	}
	for _, name := range [][]byte{bucketQueue, bucketDone, bucketClaims, bucketCounts} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	switch {
	case v < 2:
		return upgradeV1(tx, meta)
	case v < fileVersion:
		// Version 3 added records to done values, flagged in their kind
		// byte: version 2 values read as they are. The new number makes
		// an older imgcrawl refuse the file instead of misreading records.
		return meta.Put(keyVersion, binary.AppendUvarint(nil, fileVersion))
	}
	return nil
}

// upgradeV1 converts a version 1 file: its content index becomes the
// claims bucket, and its seen bucket, which repeats the keys of the queue
// and done buckets, is dropped. An older imgcrawl then refuses the file
// instead of missing the claims.
func upgradeV1(tx *bbolt.Tx, meta *bbolt.Bucket) error {
	if content := tx.Bucket(bucketContentV1); content != nil {
		claims := tx.Bucket(bucketClaims)
		err := content.ForEach(func(k, v []byte) error {
			if len(k) != 32 {
				return fmt.Errorf("content record %x: %w", k, errBoltCodec)
			}
			seq, err := claims.NextSequence()
			if err != nil {
				return err
			}
			val := appendString(append([]byte(nil), k...), string(v))
			return claims.Put(binary.BigEndian.AppendUint64(nil, seq), val)
		})
		if err != nil {
			return err
		}
	}
	for _, name := range [][]byte{bucketContentV1, bucketSeenV1} {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
	}
	return meta.Put(keyVersion, binary.AppendUvarint(nil, fileVersion))
}

// appliedGen returns the newest journal generation applied to the file.
func appliedGen(tx *bbolt.Tx) uint64 {
	v, _ := binary.Uvarint(tx.Bucket(bucketMeta).Get(keyApplied))
	return v
}
