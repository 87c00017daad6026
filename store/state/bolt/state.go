package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
)

// usableLocked returns why the state cannot be used, or nil.
func (b *State) usableLocked() error {
	if b.closed {
		return state.ErrClosed
	}
	return b.err
}

// writeLocked frames rec, appends it to the journal with one write and adds
// its ops to the current batch. A failed write sticks: the journal may end
// in a partial record, which a reopen ignores, and nothing may follow it.
func (b *State) writeLocked(rec []byte) error {
	rec = endRecord(rec)
	b.rec = rec
	if _, err := b.jf.Write(rec); err != nil {
		b.err = fmt.Errorf("bolt: journal %s: %w", journalPath(b.path), err)
		return b.err
	}
	b.cur.ops = append(b.cur.ops, rec[recordHeader:]...)
	return nil
}

// readView is a read transaction and the bucket that calls look up.
type readView struct {
	tx     *bbolt.Tx
	claims *bbolt.Bucket
}

// readLocked returns a read transaction. Committed changes are in it;
// those being committed or only journaled are in b.flushing and b.cur. A
// transaction opened between commits is kept for the next calls, until the
// next commit starts; one opened while a commit runs is for this call only,
// and done ends it.
func (b *State) readLocked() (rd *readView, done func(), err error) {
	if b.rd != nil {
		return b.rd, func() {}, nil
	}
	tx, err := b.db.Begin(false)
	if err != nil {
		return nil, nil, fmt.Errorf("bolt: state file %s: %w", b.path, err)
	}
	rd = &readView{tx: tx, claims: tx.Bucket(bucketClaims)}
	if b.updating {
		return rd, func() { _ = tx.Rollback() }, nil
	}
	b.rd = rd
	return rd, func() {}, nil
}

// endReadLocked ends the shared read transaction.
func (b *State) endReadLocked() {
	if b.rd != nil {
		_ = b.rd.tx.Rollback()
		b.rd = nil
	}
}

// LoadMeta implements state.State.
func (b *State) LoadMeta(context.Context) ([]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false, state.ErrClosed
	}
	return append([]byte(nil), b.meta...), b.hasMeta, nil
}

// SaveMeta implements state.State.
func (b *State) SaveMeta(_ context.Context, meta []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return err
	}
	if err := b.writeLocked(appendMetaOp(beginRecord(b.rec), meta)); err != nil {
		return err
	}
	b.meta, b.hasMeta = append([]byte(nil), meta...), true
	return nil
}

// Add implements state.State.
func (b *State) Add(_ context.Context, items []state.Item) ([]bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return nil, err
	}
	added := make([]bool, len(items))
	if len(items) == 0 {
		return added, nil
	}
	rec := beginRecord(b.rec)
	seq := b.seq
	for i := range items {
		it := &items[i]
		if _, ok := b.seen[it.Key]; ok {
			continue
		}
		// Marked now so that a repeat within items is not added; undone
		// below if the journal write fails.
		b.seen[it.Key] = struct{}{}
		rec = appendAddOp(rec, seq, it)
		seq++
		added[i] = true
	}
	if seq == b.seq {
		return added, nil
	}
	if err := b.writeLocked(rec); err != nil {
		for i, ok := range added {
			if ok {
				delete(b.seen, items[i].Key)
			}
		}
		return nil, err
	}
	now := b.now()
	seq = b.seq
	for i, ok := range added {
		if ok {
			b.q.Push(items[i], seq, now)
			seq++
			b.counts.Seen++
		}
	}
	b.seq = seq
	return added, nil
}

// Take implements state.State.
func (b *State) Take(_ context.Context, max int, now time.Time) ([]state.Item, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return nil, err
	}
	return b.q.Take(max, now), nil
}

// Requeue implements state.State.
func (b *State) Requeue(_ context.Context, it state.Item) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return err
	}
	seq, _, ok := b.q.Leased(it.Key)
	if !ok {
		return nil
	}
	if err := b.writeLocked(appendRequeueOp(beginRecord(b.rec), seq, b.seq, &it)); err != nil {
		return err
	}
	b.q.Requeue(it, b.seq, b.now())
	b.seq++
	return nil
}

// Done implements state.State.
func (b *State) Done(_ context.Context, it state.Item, out state.Outcome) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return err
	}
	seq, kind, ok := b.q.Leased(it.Key)
	if !ok {
		return nil
	}
	if err := b.writeLocked(appendDoneOp(beginRecord(b.rec), seq, b.seq, it.Key, kind, &out)); err != nil {
		return err
	}
	b.seq++
	b.q.Done(it)
	b.counts.Add(kind, out)
	return nil
}

// ClaimContent implements state.State.
func (b *State) ClaimContent(_ context.Context, sum [32]byte, path string, by state.Key) (string, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return "", false, err
	}
	if c, ok := b.cur.content[sum]; ok {
		return c.path, c.by == by, nil
	}
	if b.flushing != nil {
		if c, ok := b.flushing.content[sum]; ok {
			return c.path, c.by == by, nil
		}
	}
	if seq, ok := b.claims.find(sum); ok {
		rd, done, err := b.readLocked()
		if err != nil {
			return "", false, err
		}
		v := rd.claims.Get(binary.BigEndian.AppendUint64(nil, seq))
		got, c, err := decodeClaim(v)
		done()
		if err != nil {
			return "", false, fmt.Errorf("bolt: state file %s: claims record %d: %w", b.path, seq, err)
		}
		if got == sum {
			return c.path, c.known && c.by == by, nil
		}
	}
	if err := b.writeLocked(appendClaimOp(beginRecord(b.rec), &sum, path, by)); err != nil {
		return "", false, err
	}
	b.cur.content[sum] = claimed{path: path, by: by, known: true}
	return path, true, nil
}

// Counts implements state.State. It works after a failed commit, for reporting,
// but not after Close.
func (b *State) Counts(context.Context) (state.Counts, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return state.Counts{}, state.ErrClosed
	}
	c := b.counts
	c.PagesPending, c.ImagesPending = b.q.Counts()
	return c, nil
}

// Flush implements State: it commits the journaled changes into bbolt now,
// with an fsync unless NoSync is set.
func (b *State) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.commit(false)
}

var _ state.Recorder = (*State)(nil)

// Records implements state.Recorder: it commits what the journal holds, then
// reads the done bucket, which is in acknowledgement order.
func (b *State) Records(ctx context.Context, fn func(rec []byte) error) error {
	if err := b.Flush(ctx); err != nil {
		return err
	}
	return b.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketDone).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			_, _, out, err := decodeDone(v)
			if err != nil {
				return fmt.Errorf("bolt: state file %s: done record %x: %w", b.path, k, err)
			}
			if out.Record != nil {
				if err := fn(out.Record); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
