package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// State is a state.State in a bbolt file: the default, which makes every crawl
// resumable. Re-opening the file after Close, Ctrl-C, kill -9 or a power cut
// continues the crawl: acknowledged items stay done, and items handed out
// but never acknowledged are handed out again.
//
// Every mutating call appends one record to a journal file next to the
// database before it returns, and a background goroutine writes the journaled
// changes into bbolt in one transaction every CommitInterval (group commit).
// A killed process loses nothing it acknowledged; a power cut loses at most
// the last CommitInterval of work and never corrupts the database.
//
// The file's buckets are all keyed by growing sequence numbers, so a commit
// writes at the end of each tree instead of rewriting leaves all over it.
// What must be found by key is indexed in memory, rebuilt on open: the seen
// set (every key in the queue and done buckets), the pending frontier, and
// an 8-byte prefix of each claimed content hash with its record's key: 24 to
// 38 bytes per URL and as much per saved image. The zero value is not
// usable; call Open, and Close to stop the background goroutine and
// release the file. A State is safe for concurrent use.
type State struct {
	path     string
	db       *bbolt.DB
	interval time.Duration
	now      func() time.Time

	commitMu sync.Mutex // serializes commits

	mu       sync.Mutex
	q        *state.Queue
	seen     map[state.Key]struct{} // every key added: committed, being committed or journaled
	claims   claimIndex             // the committed claims; the others are in cur and flushing
	counts   state.Counts           // all but the pending counts, which q gives
	meta     []byte
	hasMeta  bool
	seq      uint64    // the next seq: queue position or done record
	cur      *opBatch  // journaled in jf, not yet committed
	flushing *opBatch  // being committed, or failed to commit; else nil
	jf       *os.File  // the active journal
	gen      uint64    // the active journal's generation
	rec      []byte    // record buffer, reused
	rd       *readView // read transaction shared by calls between commits
	updating bool      // a commit transaction runs: no shared rd
	err      error     // the first commit or journal failure; sticks
	closed   bool

	stop chan struct{}
	done chan struct{}
}

var _ state.State = (*State)(nil)

// Options tunes a State. The zero value gives the defaults.
type Options struct {
	// CommitInterval is the group-commit period: how often journaled
	// changes are written into bbolt. Zero means 100ms.
	CommitInterval time.Duration
	// NoSync skips fsync when committing. It is for tests and benchmarks:
	// a power cut may then corrupt the database.
	NoSync bool
}

// opBatch is the changes of one journal generation: their ops, and the
// content claims among them, which are not in bbolt yet.
type opBatch struct {
	ops     []byte
	content map[[32]byte]claimed
}

func newOpBatch() *opBatch {
	return &opBatch{content: make(map[[32]byte]claimed)}
}

// nextOpBatch returns an empty batch with room for as much as prev held:
// consecutive commit intervals carry similar loads, and growing the ops
// and the claims from nothing each interval showed in profiles.
func nextOpBatch(prev *opBatch) *opBatch {
	return &opBatch{
		ops:     make([]byte, 0, len(prev.ops)),
		content: make(map[[32]byte]claimed, len(prev.content)),
	}
}

// lockTimeout is how long Open waits for another process's lock.
const lockTimeout = time.Second

// ErrInUse is why Open and Remove refuse a state file that another process
// has open (errors.Is): a crawl running there, most likely.
var ErrInUse = errors.New("in use by another imgcrawl")

// mmapSize returns the initial size of the file's mapping. It is
// address space, not memory, except on Windows, where bbolt grows the file
// to the mapping's size; there, and where address space is scarce, it is
// left to bbolt.
func mmapSize() int {
	if runtime.GOOS == "windows" || strconv.IntSize < 64 {
		return 0
	}
	return 1 << 30
}

// Open opens or creates the state file at path, creating its parent
// directories, and replays the journal a killed process left behind. A file
// that is not an imgcrawl state, or was written by a newer version, is an
// error naming the path; it is never reset. A file that another process has
// open is an error saying so.
func Open(path string, opt Options) (*State, error) {
	if opt.CommitInterval <= 0 {
		opt.CommitInterval = 100 * time.Millisecond
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("bolt: state file %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:      lockTimeout,
		NoSync:       opt.NoSync,
		FreelistType: bbolt.FreelistMapType,
		// Growing the file past the mapping remaps it, which is slow and
		// waits for readers; reserve address space for a big crawl.
		InitialMmapSize: mmapSize(),
	})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("bolt: state file %s is %w", path, ErrInUse)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("bolt: state file %s is not an imgcrawl state file: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("bolt: state file %s: %w", path, err)
	}
	b := &State{
		path:     path,
		db:       db,
		interval: opt.CommitInterval,
		now:      time.Now,
		q:        state.NewQueue(),
		seen:     make(map[state.Key]struct{}),
		claims:   newBoltClaimIndex(),
		cur:      newOpBatch(),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if err := b.load(); err != nil {
		db.Close()
		return nil, err
	}
	go b.run()
	return b, nil
}

// load checks the file, replays leftover journals into it, reads the
// state into memory and starts a new journal.
func (b *State) load() error {
	if err := b.db.Update(initFile); err != nil {
		return fmt.Errorf("bolt: state file %s: %w", b.path, err)
	}
	var applied uint64
	if err := b.db.View(func(tx *bbolt.Tx) error {
		applied = appliedGen(tx)
		return nil
	}); err != nil {
		return fmt.Errorf("bolt: state file %s: %w", b.path, err)
	}
	journals, err := readJournals(b.path, applied)
	if err != nil {
		return err
	}
	err = b.db.Update(func(tx *bbolt.Tx) error {
		if len(journals) == 0 {
			return nil
		}
		w, err := newBoltReplayWriter(tx)
		if err != nil {
			return err
		}
		newest := applied
		for _, j := range journals {
			if j.gen <= applied {
				continue // an empty file
			}
			if err := decodeOps(j.ops, w.apply); err != nil {
				return fmt.Errorf("journal %s: %w", j.path, err)
			}
			newest = j.gen
		}
		if newest == applied {
			return nil
		}
		return w.finish(tx, newest)
	})
	if err != nil {
		return fmt.Errorf("bolt: state file %s: replaying journal: %w", b.path, err)
	}
	if err := removeJournals(b.path); err != nil {
		return err
	}
	if err := b.db.View(b.read); err != nil {
		return fmt.Errorf("bolt: state file %s: %w", b.path, err)
	}
	b.gen++
	if b.jf, err = createJournal(journalPath(b.path), b.gen); err != nil {
		return fmt.Errorf("bolt: journal %s: %w", journalPath(b.path), err)
	}
	return nil
}

// read loads the metadata, the counts, the pending items, the seen set and
// the claims index.
func (b *State) read(tx *bbolt.Tx) error {
	b.gen = appliedGen(tx)
	if m := tx.Bucket(bucketMeta).Get(keyCrawl); m != nil {
		b.meta, b.hasMeta = append([]byte(nil), m...), true
	}
	b.counts = readCounts(tx.Bucket(bucketCounts))
	now := b.now()
	// The queue bucket is in seq order, which is queue order.
	err := tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
		seq, it, err := decodeQueued(k, v)
		if err != nil {
			return fmt.Errorf("queue record %x: %w", k, err)
		}
		b.q.Push(it, seq, now)
		b.seq = seq + 1
		return nil
	})
	if err != nil {
		return err
	}
	if k, _ := tx.Bucket(bucketDone).Cursor().Last(); len(k) == 8 {
		b.seq = max(b.seq, binary.BigEndian.Uint64(k)+1)
	}
	if err := forEachKey(tx, func(k state.Key) { b.seen[k] = struct{}{} }); err != nil {
		return err
	}
	return forEachClaim(tx, b.claims.add)
}

// run commits every interval until Close.
func (b *State) run() {
	defer close(b.done)
	t := time.NewTicker(b.interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			_ = b.commit(false) // a failure sticks in b.err
		}
	}
}

// commit writes the journaled changes into bbolt in one transaction. It
// first rotates the journal, so that calls can go on journaling while the
// transaction runs; the final commit of Close does not rotate.
func (b *State) commit(final bool) error {
	b.commitMu.Lock()
	defer b.commitMu.Unlock()
	batch, gen, err := b.beginCommit(final)
	if batch == nil {
		return err
	}
	var claims []claimRec
	err = b.db.Update(func(tx *bbolt.Tx) error {
		unmapRead(tx)
		var err error
		claims, err = applyOps(tx, batch.ops, gen)
		return err
	})
	return b.endCommit(final, claims, err)
}

// beginCommit takes the batch to commit and its generation, rotating the
// journal unless final; a nil batch means nothing to commit. The caller
// holds commitMu, and must call endCommit after a non-nil batch.
func (b *State) beginCommit(final bool) (*opBatch, uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed && !final {
		return nil, 0, state.ErrClosed
	}
	if b.err != nil {
		return nil, 0, b.err
	}
	batch, gen, jf := b.cur, b.gen, b.jf
	if len(batch.ops) == 0 {
		return nil, 0, nil
	}
	if !final {
		if err := b.rotateLocked(); err != nil {
			b.err = err
			return nil, 0, err
		}
		jf.Close() // nothing writes to it any more
	}
	// The commit may need to remap the file, which waits for every read
	// transaction to end.
	b.endReadLocked()
	b.updating = true
	return batch, gen, nil
}

// endCommit records the outcome of the transaction beginCommit prepared:
// claims are the claims it put.
func (b *State) endCommit(final bool, claims []claimRec, err error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.updating = false
	if err != nil {
		// The journal still holds the batch; a reopen replays it.
		b.err = fmt.Errorf("bolt: state file %s: commit: %w", b.path, err)
		return b.err
	}
	for _, c := range claims {
		b.claims.add(c.sum, c.seq)
	}
	b.flushing = nil
	if final {
		b.cur = newOpBatch()
	} else {
		// A leftover is harmless: its generation is applied, and the next
		// rotation replaces it.
		_ = os.Remove(commitPath(b.path))
	}
	return nil
}

// rotateLocked moves the active journal aside for commit and starts the
// next generation.
func (b *State) rotateLocked() error {
	jp := journalPath(b.path)
	if err := os.Rename(jp, commitPath(b.path)); err != nil {
		return fmt.Errorf("bolt: journal %s: %w", jp, err)
	}
	f, err := createJournal(jp, b.gen+1)
	if err != nil {
		return fmt.Errorf("bolt: journal %s: %w", jp, err)
	}
	b.flushing, b.cur = b.cur, nextOpBatch(b.cur)
	b.jf = f
	b.gen++
	return nil
}

// Close commits everything, removes the journal and closes the file. The
// error of a failed commit is returned, and the journal is then kept, for
// the next Open to replay. Calling Close again does nothing.
func (b *State) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done

	err := b.commit(true)
	b.mu.Lock()
	b.endReadLocked()
	b.mu.Unlock()
	errs := []error{err}
	if cerr := b.jf.Close(); cerr != nil && err == nil {
		errs = append(errs, fmt.Errorf("bolt: journal %s: %w", journalPath(b.path), cerr))
	}
	if err == nil {
		errs = append(errs, removeJournals(b.path))
	}
	if cerr := b.db.Close(); cerr != nil {
		errs = append(errs, fmt.Errorf("bolt: state file %s: %w", b.path, cerr))
	}
	return errors.Join(errs...)
}

// Remove deletes a state file and its journal, as --fresh does. It
// refuses to delete a state that another process has open. A file that does
// not exist is not an error.
func Remove(path string) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout, ReadOnly: true})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("bolt: state file %s is %w", path, ErrInUse)
	case err == nil:
		db.Close()
	}
	// Other open errors (no file, not a bbolt file) do not stop the removal.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("bolt: state file %s: %w", path, err)
	}
	return removeJournals(path)
}
