package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The buckets of a Bolt state file.
var (
	boltBucketMeta    = []byte("meta")    // magic, version, applied journal generation, crawl metadata
	boltBucketSeen    = []byte("seen")    // Key -> kind byte
	boltBucketQueue   = []byte("queue")   // seq -> key + item, for every pending item
	boltBucketDone    = []byte("done")    // seq -> key + kind + outcome, for every acknowledged item
	boltBucketContent = []byte("content") // sha256 -> path
	boltBucketCounts  = []byte("counts")  // field name -> varint
)

// Keys of the meta bucket.
var (
	boltKeyMagic   = []byte("magic")
	boltKeyVersion = []byte("version")
	boltKeyApplied = []byte("applied") // the newest journal generation in the file
	boltKeyCrawl   = []byte("crawl")
)

const (
	boltMagic   = "imgcrawl-state"
	boltVersion = 1
)

// boltCountFields names the persisted fields of Counts. The pending counts
// are not stored: they are recomputed from the queue bucket on open.
func boltCountFields(c *Counts) []struct {
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

// boltWriter applies ops inside one read-write transaction. The ops are
// put into bbolt without copying, so their bytes must stay unchanged until
// the transaction ends.
type boltWriter struct {
	seen, queue, done, content, meta *bolt.Bucket
	counts                           Counts
	// fresh is set for a batch this process journaled and now commits for
	// the first time, on top of every earlier batch. Its calls checked the
	// file and the batches before it, so no add names a key already seen,
	// no claim a hash already claimed, and every requeue or done names a
	// queue record that exists: the lookups that make a replay idempotent
	// are skipped.
	fresh bool
	// transient holds, for a fresh batch, the queue records that the batch
	// both puts and removes (an item added and done between two commits,
	// the common case): false until the put, which is skipped and sets it
	// true; the removal is then skipped too.
	transient map[uint64]bool
}

func newBoltWriter(tx *bolt.Tx) (*boltWriter, error) {
	w := &boltWriter{
		seen:    tx.Bucket(boltBucketSeen),
		queue:   tx.Bucket(boltBucketQueue),
		done:    tx.Bucket(boltBucketDone),
		content: tx.Bucket(boltBucketContent),
		meta:    tx.Bucket(boltBucketMeta),
	}
	counts := tx.Bucket(boltBucketCounts)
	if w.seen == nil || w.queue == nil || w.done == nil || w.content == nil || w.meta == nil || counts == nil {
		return nil, fmt.Errorf("missing bucket")
	}
	// Queue and done records are keyed by an ever-growing seq, so new keys
	// land at the end: full pages instead of bbolt's default half-full
	// splits halve those buckets.
	w.queue.FillPercent, w.done.FillPercent = 1, 1
	w.counts = boltReadCounts(counts)
	return w, nil
}

// boltKinds holds the seen bucket's values, one byte per Kind.
var boltKinds = [...][]byte{KindPage: {byte(KindPage)}, KindImage: {byte(KindImage)}}

// apply performs one op. Every op is idempotent, so replaying a journal
// record that already reached the file changes nothing.
func (w *boltWriter) apply(op *boltOp) error {
	switch op.code {
	case boltOpAdd:
		if !w.fresh && w.seen.Get(op.key) != nil {
			return nil
		}
		if err := w.seen.Put(op.key, boltKinds[op.kind]); err != nil {
			return err
		}
		w.counts.Seen++
		return w.queuePut(op.seq, op.value)
	case boltOpRequeue, boltOpDone:
		if applied, err := w.queueRemove(op); applied || err != nil {
			return err
		}
		if op.code == boltOpRequeue {
			return w.queuePut(op.seq2, op.value)
		}
		boltCount(&w.counts, op.kind, op.status, op.bytes)
		return w.done.Put(op.seq2, op.value)
	case boltOpClaim:
		if !w.fresh && w.content.Get(op.key) != nil {
			return nil
		}
		return w.content.Put(op.key, op.value)
	case boltOpMeta:
		return w.meta.Put(boltKeyCrawl, op.value)
	}
	return errBoltCodec
}

// queuePut puts a queue record, unless the fresh batch removes it again.
func (w *boltWriter) queuePut(seq, value []byte) error {
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
func (w *boltWriter) queueRemove(op *boltOp) (applied bool, err error) {
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

// boltCount counts an acknowledged item's outcome, as Counts.add does.
func boltCount(c *Counts, kind Kind, status []byte, n int64) {
	c.add(kind, Outcome{Status: string(status), Bytes: n})
}

// finish stores the counts and the applied journal generation.
func (w *boltWriter) finish(tx *bolt.Tx, gen uint64) error {
	counts := tx.Bucket(boltBucketCounts)
	for _, f := range boltCountFields(&w.counts) {
		if err := counts.Put([]byte(f.name), binary.AppendVarint(nil, *f.v)); err != nil {
			return err
		}
	}
	return w.meta.Put(boltKeyApplied, binary.AppendUvarint(nil, gen))
}

func boltReadCounts(b *bolt.Bucket) Counts {
	var c Counts
	for _, f := range boltCountFields(&c) {
		if v := b.Get([]byte(f.name)); v != nil {
			*f.v, _ = binary.Varint(v)
		}
	}
	return c
}

// boltApplyOps applies a sequence of ops and records gen as applied. fresh
// says the ops are a batch this process journaled, committed right after
// the batches before it (see boltWriter.fresh); a replay of journals found
// on open is not fresh.
func boltApplyOps(tx *bolt.Tx, ops []byte, gen uint64, fresh bool) error {
	w, err := newBoltWriter(tx)
	if err != nil {
		return err
	}
	if fresh {
		w.fresh, w.transient = true, make(map[uint64]bool)
		if err := boltDecodeOps(ops, func(op *boltOp) error {
			if op.code == boltOpRequeue || op.code == boltOpDone {
				w.transient[binary.BigEndian.Uint64(op.seq)] = false
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if err := boltDecodeOps(ops, w.apply); err != nil {
		return err
	}
	return w.finish(tx, gen)
}

// boltInit checks that tx's file is an imgcrawl state of a version we can
// read, creating the buckets in a new (empty) file.
func boltInit(tx *bolt.Tx) error {
	meta := tx.Bucket(boltBucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error {
			empty = false
			return nil
		})
		if !empty {
			return fmt.Errorf("not an imgcrawl state file (no %q record)", boltMagic)
		}
		var err error
		if meta, err = tx.CreateBucket(boltBucketMeta); err != nil {
			return err
		}
		if err := meta.Put(boltKeyMagic, []byte(boltMagic)); err != nil {
			return err
		}
		if err := meta.Put(boltKeyVersion, binary.AppendUvarint(nil, boltVersion)); err != nil {
			return err
		}
	}
	if string(meta.Get(boltKeyMagic)) != boltMagic {
		return fmt.Errorf("not an imgcrawl state file (no %q record)", boltMagic)
	}
	v, n := binary.Uvarint(meta.Get(boltKeyVersion))
	if n <= 0 {
		return fmt.Errorf("not an imgcrawl state file (bad version record)")
	}
	if v > boltVersion {
		return fmt.Errorf("written by a newer imgcrawl (state version %d, this one reads %d)", v, boltVersion)
	}
	if !tx.Writable() {
		return nil
	}
	for _, name := range [][]byte{boltBucketSeen, boltBucketQueue, boltBucketDone, boltBucketContent, boltBucketCounts} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// boltApplied returns the newest journal generation applied to the file.
func boltApplied(tx *bolt.Tx) uint64 {
	v, _ := binary.Uvarint(tx.Bucket(boltBucketMeta).Get(boltKeyApplied))
	return v
}
