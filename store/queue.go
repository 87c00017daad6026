package store

import (
	"container/heap"
	"time"
)

// queue is the in-memory frontier shared by the Memory and Bolt states: ready
// pages by depth, ready images, items waiting for a not-before time, and the
// items handed out. It is not safe for concurrent use; its owner locks.
type queue struct {
	pages    map[int]*fifo // ready pages by depth
	images   fifo
	delayed  delayHeap
	leased   map[Key]Item
	leasedAt map[int]int // handed-out pages by depth
	pending  map[Key]struct{}
}

func newQueue() *queue {
	return &queue{
		pages:    make(map[int]*fifo),
		leased:   make(map[Key]Item),
		leasedAt: make(map[int]int),
		pending:  make(map[Key]struct{}),
	}
}

// push adds an item that is not yet queued.
func (q *queue) push(it Item, now time.Time) {
	q.pending[it.Key] = struct{}{}
	if it.NotBefore.After(now) {
		heap.Push(&q.delayed, it)
		return
	}
	q.ready(it)
}

func (q *queue) ready(it Item) {
	if it.Kind == KindImage {
		q.images.push(it)
		return
	}
	f := q.pages[it.Depth]
	if f == nil {
		f = &fifo{}
		q.pages[it.Depth] = f
	}
	f.push(it)
}

// barrier returns the depth of pages that may be handed out: the lowest depth
// among ready or handed-out pages, or -1 when there is none.
func (q *queue) barrier() int {
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

// take hands out up to max due items: pages of the barrier depth first, up
// to half of max, then images, then more pages.
func (q *queue) take(max int, now time.Time) []Item {
	for q.delayed.Len() > 0 && !q.delayed[0].NotBefore.After(now) {
		q.ready(heap.Pop(&q.delayed).(Item))
	}
	if max <= 0 {
		return nil
	}
	var out []Item
	d := q.barrier()
	pages := q.pages[d]
	takePages := func(n int) {
		for pages != nil && pages.len() > 0 && len(out) < n {
			out = append(out, pages.pop())
		}
	}
	takePages((max + 1) / 2)
	for q.images.len() > 0 && len(out) < max {
		out = append(out, q.images.pop())
	}
	takePages(max)
	if pages != nil && pages.len() == 0 {
		delete(q.pages, d)
	}
	for _, it := range out {
		q.leased[it.Key] = it
		if it.Kind == KindPage {
			q.leasedAt[it.Depth]++
		}
	}
	return out
}

// release forgets a handed-out item; it reports whether it was handed out.
func (q *queue) release(it Item) bool {
	old, ok := q.leased[it.Key]
	if !ok {
		return false
	}
	delete(q.leased, it.Key)
	if old.Kind == KindPage {
		if q.leasedAt[old.Depth]--; q.leasedAt[old.Depth] <= 0 {
			delete(q.leasedAt, old.Depth)
		}
	}
	return true
}

// requeue puts a handed-out item back.
func (q *queue) requeue(it Item, now time.Time) bool {
	if !q.release(it) {
		return false
	}
	delete(q.pending, it.Key)
	q.push(it, now)
	return true
}

// done acknowledges a handed-out item.
func (q *queue) done(it Item) bool {
	if !q.release(it) {
		return false
	}
	delete(q.pending, it.Key)
	return true
}

// counts returns the pending pages and images.
func (q *queue) counts() (pages, images int64) {
	for _, f := range q.pages {
		pages += int64(f.len())
	}
	images = int64(q.images.len())
	for _, it := range q.delayed {
		if it.Kind == KindPage {
			pages++
		} else {
			images++
		}
	}
	for _, it := range q.leased {
		if it.Kind == KindPage {
			pages++
		} else {
			images++
		}
	}
	return pages, images
}

// fifo is a slice-backed first-in first-out list.
type fifo struct {
	items []Item
	head  int
}

func (f *fifo) len() int { return len(f.items) - f.head }

func (f *fifo) push(it Item) { f.items = append(f.items, it) }

func (f *fifo) pop() Item {
	it := f.items[f.head]
	f.items[f.head] = Item{}
	f.head++
	if f.head > 1024 && f.head*2 > len(f.items) {
		f.items = append([]Item(nil), f.items[f.head:]...)
		f.head = 0
	}
	return it
}

// delayHeap orders waiting items by not-before time.
type delayHeap []Item

func (h delayHeap) Len() int           { return len(h) }
func (h delayHeap) Less(i, j int) bool { return h[i].NotBefore.Before(h[j].NotBefore) }
func (h delayHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *delayHeap) Push(x any)        { *h = append(*h, x.(Item)) }
func (h *delayHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
