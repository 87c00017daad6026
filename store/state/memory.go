package state

import (
	"context"
	"sync"
	"time"
)

// Memory is a State held in memory: nothing survives the process. It is what
// `--state none` uses, and what tests use. The zero value is not usable; call
// NewMemory. It is safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	meta    []byte
	seen    map[Key]struct{}
	q       *Queue
	content map[[32]byte]claim
	counts  Counts
	closed  bool
	now     func() time.Time
}

var _ State = (*Memory)(nil)

// NewMemory returns an empty in-memory state.
func NewMemory() *Memory {
	return &Memory{
		seen:    make(map[Key]struct{}),
		q:       NewQueue(),
		content: make(map[[32]byte]claim),
		now:     time.Now,
	}
}

// LoadMeta implements State.
func (m *Memory) LoadMeta(context.Context) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.meta, m.meta != nil, nil
}

// SaveMeta implements State.
func (m *Memory) SaveMeta(_ context.Context, meta []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meta = append([]byte(nil), meta...)
	return nil
}

// Add implements State.
func (m *Memory) Add(_ context.Context, items []Item) ([]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	now := m.now()
	added := make([]bool, len(items))
	for i, it := range items {
		if _, ok := m.seen[it.Key]; ok {
			continue
		}
		m.seen[it.Key] = struct{}{}
		m.counts.Seen++
		m.q.Push(it, 0, now)
		added[i] = true
	}
	return added, nil
}

// Take implements State.
func (m *Memory) Take(_ context.Context, max int, now time.Time) ([]Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	return m.q.Take(max, now), nil
}

// Requeue implements State.
func (m *Memory) Requeue(_ context.Context, it Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.q.Requeue(it, 0, m.now())
	return nil
}

// Done implements State.
func (m *Memory) Done(_ context.Context, it Item, out Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.q.Done(it) {
		m.counts.Add(it.Kind, out)
	}
	return nil
}

// claim is a recorded content claim: the path and the item that saved it.
type claim struct {
	path string
	by   Key
}

// ClaimContent implements State.
func (m *Memory) ClaimContent(_ context.Context, sum [32]byte, path string, by Key) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.content[sum]; ok {
		return c.path, c.by == by, nil
	}
	m.content[sum] = claim{path, by}
	return path, true, nil
}

// Counts implements State.
func (m *Memory) Counts(context.Context) (Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counts
	c.PagesPending, c.ImagesPending = m.q.Counts()
	return c, nil
}

// Flush implements State; memory has nothing to flush.
func (m *Memory) Flush(context.Context) error { return nil }

// Close implements State.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// Add counts an acknowledged item's outcome into c, as every State counts.
func (c *Counts) Add(kind Kind, out Outcome) {
	if kind.PageLike() {
		c.PagesDone++
		return
	}
	switch out.Status {
	case Saved:
		c.Saved++
		c.Bytes += out.Bytes
	case Duplicate:
		c.Duplicates++
	case Skipped:
		c.Skipped++
	case Failed:
		c.Failed++
	}
}
