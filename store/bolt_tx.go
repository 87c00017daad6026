package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The buckets of a Bolt state file.
var (
	boltBucketMeta    = []byte("meta")    // magic, version, applied journal generation, crawl metadata
	boltBucketSeen    = []byte("seen")    // Key -> kind byte
	boltBucketQueue   = []byte("queue")   // Key -> seq + item, for every pending item
	boltBucketDone    = []byte("done")    // Key -> outcome
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

// boltWriter applies ops inside one read-write transaction.
type boltWriter struct {
	seen, queue, done, content, meta *bolt.Bucket
	counts                           Counts
	// arena holds the keys and values put in this transaction: bbolt needs
	// them to stay unchanged until the commit. Slices taken from it stay
	// valid when it grows, as append copies into a new array.
	arena []byte
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
	w.counts = boltReadCounts(counts)
	return w, nil
}

// keep copies b into the arena and returns the copy.
func (w *boltWriter) keep(b ...[]byte) []byte {
	start := len(w.arena)
	for _, p := range b {
		w.arena = append(w.arena, p...)
	}
	return w.arena[start:len(w.arena):len(w.arena)]
}

// queued encodes a queue bucket value into the arena.
func (w *boltWriter) queued(op *boltOp) []byte {
	start := len(w.arena)
	w.arena = boltAppendQueued(w.arena, op.seq, &op.item)
	return w.arena[start:len(w.arena):len(w.arena)]
}

// apply performs one op. Every op is idempotent, so replaying a journal
// record that already reached the file changes nothing.
func (w *boltWriter) apply(op *boltOp) error {
	key := op.item.Key[:]
	switch op.code {
	case boltOpAdd:
		if w.seen.Get(key) != nil {
			return nil
		}
		k := w.keep(key)
		if err := w.seen.Put(k, w.keep([]byte{byte(op.item.Kind)})); err != nil {
			return err
		}
		w.counts.Seen++
		return w.queue.Put(k, w.queued(op))
	case boltOpRequeue:
		if w.queue.Get(key) == nil {
			return nil
		}
		return w.queue.Put(w.keep(key), w.queued(op))
	case boltOpDone:
		if w.queue.Get(key) == nil {
			return nil
		}
		k := w.keep(key)
		if err := w.queue.Delete(k); err != nil {
			return err
		}
		w.counts.add(op.item.Kind, op.out)
		start := len(w.arena)
		w.arena = boltAppendOutcome(w.arena, &op.out)
		return w.done.Put(k, w.arena[start:len(w.arena):len(w.arena)])
	case boltOpClaim:
		if w.content.Get(op.sum[:]) != nil {
			return nil
		}
		return w.content.Put(w.keep(op.sum[:]), w.keep([]byte(op.path)))
	case boltOpMeta:
		return w.meta.Put(boltKeyCrawl, w.keep(op.meta))
	}
	return errBoltCodec
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

// boltApplyOps applies a sequence of ops and records gen as applied.
func boltApplyOps(tx *bolt.Tx, ops []byte, gen uint64) error {
	w, err := newBoltWriter(tx)
	if err != nil {
		return err
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
