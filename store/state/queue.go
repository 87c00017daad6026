package state

import (
	"container/heap"
	"time"
)

// Queue is an in-memory frontier for State implementations that keep their
// queue in memory (Memory, and store/state/bolt over its file): ready pages
// by depth, ready images, items waiting for a not-before time, and the items
// handed out. Take keeps the breadth-first barrier of the State contract.
// Each item carries its owner's sequence number (the bolt state's queue
// record; 0 for Memory). Use NewQueue; the zero value is not usable. It is
// not safe for concurrent use: its owner locks.
type Queue struct {
	pages    map[int]*fifo // ready pages by depth
	images   fifo
	delayed  delayHeap
	leased   map[Key]queued
	leasedAt map[int]int // handed-out pages by depth
}

// queued is an item in the queue with its sequence number, in 72 bytes
// instead of Item's 120: a crawl's frontier can hold many of them. The
// fields most items leave zero live behind a pointer.
type queued struct {
	key       Key
	url, page string
	seq       uint64
	depth     int32
	kind      Kind
	rare      *queuedRare // nil when all zero
}

type queuedRare struct {
	origin        string
	hops, attempt int
	notBefore     time.Time
}

func toQueued(it Item, seq uint64) queued {
	qi := queued{key: it.Key, url: it.URL, page: it.Page, seq: seq, depth: int32(it.Depth), kind: it.Kind}
	if it.Origin != "" || it.Hops != 0 || it.Attempt != 0 || !it.NotBefore.IsZero() {
		qi.rare = &queuedRare{origin: it.Origin, hops: it.Hops, attempt: it.Attempt, notBefore: it.NotBefore}
	}
	return qi
}

func (qi *queued) item() Item {
	it := Item{Key: qi.key, URL: qi.url, Page: qi.page, Depth: int(qi.depth), Kind: qi.kind}
	if r := qi.rare; r != nil {
		it.Origin, it.Hops, it.Attempt, it.NotBefore = r.origin, r.hops, r.attempt, r.notBefore
	}
	return it
}

func (qi *queued) notBefore() time.Time {
	if qi.rare == nil {
		return time.Time{}
	}
	return qi.rare.notBefore
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{
		pages:    make(map[int]*fifo),
		leased:   make(map[Key]queued),
		leasedAt: make(map[int]int),
	}
}

// Push adds an item that is not yet queued.
func (q *Queue) Push(it Item, seq uint64, now time.Time) {
	qi := toQueued(it, seq)
	if it.NotBefore.After(now) {
		heap.Push(&q.delayed, qi)
		return
	}
	q.ready(qi)
}

func (q *Queue) ready(qi queued) {
	if !qi.kind.PageLike() {
		q.images.push(qi)
		return
	}
	depth := int(qi.depth)
	f := q.pages[depth]
	if f == nil {
		f = &fifo{}
		q.pages[depth] = f
	}
	f.push(qi)
}

// barrier returns the depth of pages that may be handed out: the lowest depth
// among ready or handed-out pages, or -1 when there is none.
func (q *Queue) barrier() int {
	d := -1
	for depth, f := range q.pages {
		if f.len() > 0 && (d < 0 || depth < d) {
			d = depth
		}
	}
	for depth, n := range q.leasedAt {
		if n > 0 && (d < 0 || depth < d) {
			d = depth
		}
	}
	return d
}

// imageBacklog is how many ready images the queue holds before Take hands
// out images ahead of pages. Each page names a few images; taken half and
// half, a site of many distinct images would queue tens of thousands of
// them (in memory: about 130 bytes each) while its pages are crawled.
const imageBacklog = 1024

// Take hands out up to max due items: pages of the barrier depth first, up
// to half of max, then images, then more pages; while more than
// imageBacklog images are ready, images first, then pages.
func (q *Queue) Take(max int, now time.Time) []Item {
	for q.delayed.Len() > 0 && !q.delayed[0].notBefore().After(now) {
		q.ready(heap.Pop(&q.delayed).(queued))
	}
	if max <= 0 {
		return nil
	}
	var out []Item
	lease := func(qi queued) {
		out = append(out, qi.item())
		q.leased[qi.key] = qi
		if qi.kind.PageLike() {
			q.leasedAt[int(qi.depth)]++
		}
	}
	d := q.barrier()
	pages := q.pages[d]
	takePages := func(n int) {
		for pages != nil && pages.len() > 0 && len(out) < n {
			lease(pages.pop())
		}
	}
	if q.images.len() <= imageBacklog {
		takePages((max + 1) / 2)
	}
	for q.images.len() > 0 && len(out) < max {
		lease(q.images.pop())
	}
	takePages(max)
	if pages != nil && pages.len() == 0 {
		delete(q.pages, d)
	}
	return out
}

// Leased reports whether the item with key is handed out, with the
// sequence number and kind it was queued with.
func (q *Queue) Leased(key Key) (seq uint64, kind Kind, ok bool) {
	qi, ok := q.leased[key]
	return qi.seq, qi.kind, ok
}

// Release forgets a handed-out item; it reports whether it was handed out.
func (q *Queue) Release(it Item) bool {
	old, ok := q.leased[it.Key]
	if !ok {
		return false
	}
	delete(q.leased, it.Key)
	if old.kind.PageLike() {
		d := int(old.depth)
		if q.leasedAt[d]--; q.leasedAt[d] <= 0 {
			delete(q.leasedAt, d)
		}
	}
	return true
}

// Requeue puts a handed-out item back under a new sequence number.
func (q *Queue) Requeue(it Item, seq uint64, now time.Time) bool {
	if !q.Release(it) {
		return false
	}
	q.Push(it, seq, now)
	return true
}

// Done acknowledges a handed-out item.
func (q *Queue) Done(it Item) bool {
	return q.Release(it)
}

// Counts returns the pending pages and images.
func (q *Queue) Counts() (pages, images int64) {
	for _, f := range q.pages {
		pages += int64(f.len())
	}
	images = int64(q.images.len())
	for _, it := range q.delayed {
		if it.kind.PageLike() {
			pages++
		} else {
			images++
		}
	}
	for _, it := range q.leased {
		if it.kind.PageLike() {
			pages++
		} else {
			images++
		}
	}
	return pages, images
}

// fifo is a first-in first-out list in fixed-size blocks, so a long queue
// never holds a doubled slice while it grows, nor a copy while it shrinks.
// A drained block is kept for the next push: a queue that a consumer keeps
// near empty, the usual case, allocates no block after its first.
type fifo struct {
	head, tail *fifoBlock
	spare      *fifoBlock // a drained block, reused by the next push that needs one
	hi, ti     int        // next pop in head, next push in tail
	n          int
}

const fifoBlockLen = 128

type fifoBlock struct {
	items [fifoBlockLen]queued
	next  *fifoBlock
}

func (f *fifo) len() int { return f.n }

func (f *fifo) push(qi queued) {
	if f.tail == nil || f.ti == fifoBlockLen {
		b := f.spare
		if b != nil {
			f.spare = nil
		} else {
			b = &fifoBlock{}
		}
		if f.tail == nil {
			f.head, f.hi = b, 0
		} else {
			f.tail.next = b
		}
		f.tail, f.ti = b, 0
	}
	f.tail.items[f.ti] = qi
	f.ti++
	f.n++
}

func (f *fifo) pop() queued {
	qi := f.head.items[f.hi]
	f.head.items[f.hi] = queued{} // drop its pointers for the collector
	f.hi++
	f.n--
	switch {
	case f.n == 0:
		// Empty: start over at the front of the same block, which is
		// also the tail.
		f.hi, f.ti = 0, 0
	case f.hi == fifoBlockLen:
		done := f.head
		f.head, f.hi = done.next, 0
		done.next = nil
		f.spare = done
	}
	return qi
}

// delayHeap orders waiting items by not-before time.
type delayHeap []queued

func (h delayHeap) Len() int           { return len(h) }
func (h delayHeap) Less(i, j int) bool { return h[i].notBefore().Before(h[j].notBefore()) }
func (h delayHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *delayHeap) Push(x any)        { *h = append(*h, x.(queued)) }
func (h *delayHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
