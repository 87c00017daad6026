package state

import (
	"fmt"
	"testing"
	"time"
)

// The fifo keeps order across block boundaries, with pushes and pops
// interleaved, and empties completely.
func TestFifoOrder(t *testing.T) {
	var f fifo
	next, want := 0, 0
	push := func(n int) {
		for range n {
			f.push(toQueued(Item{URL: fmt.Sprint(next)}, uint64(next)))
			next++
		}
	}
	pop := func(n int) {
		for range n {
			qi := f.pop()
			if qi.url != fmt.Sprint(want) || qi.seq != uint64(want) {
				t.Fatalf("pop %d: got %q seq %d", want, qi.url, qi.seq)
			}
			want++
		}
	}
	for _, step := range [][2]int{{1, 1}, {fifoBlockLen, 3}, {fifoBlockLen + 5, fifoBlockLen}, {2, 10}, {0, 100}, {3 * fifoBlockLen, 0}} {
		push(step[0])
		pop(step[1])
		if f.len() != next-want {
			t.Fatalf("len %d, want %d", f.len(), next-want)
		}
	}
	pop(f.len())
	if f.head != f.tail || f.head.next != nil || f.spare != nil && f.spare.next != nil {
		t.Fatal("an empty fifo holds more than its current block and one spare")
	}
	push(1)
	pop(1)
	// A drained fifo holds no item's pointers: every slot is cleared.
	for _, b := range []*fifoBlock{f.head, f.spare} {
		if b == nil {
			continue
		}
		for i, qi := range b.items {
			if qi != (queued{}) {
				t.Fatalf("slot %d still holds %q", i, qi.url)
			}
		}
	}
}

// A fifo kept near empty, as a consumer that takes what is pushed keeps
// it, allocates no block after its first; a long one reuses drained blocks.
func TestFifoReusesBlocks(t *testing.T) {
	var f fifo
	qi := toQueued(Item{URL: "http://h/x"}, 1)
	f.push(qi)
	f.pop()
	if a := testing.AllocsPerRun(1000, func() { f.push(qi); f.push(qi); f.pop(); f.pop() }); a != 0 {
		t.Errorf("push and pop on a near-empty fifo: %v allocs, want 0", a)
	}
	// Streaming through: two blocks in use at a time, one spare.
	for range fifoBlockLen {
		f.push(qi)
	}
	if a := testing.AllocsPerRun(10*fifoBlockLen, func() { f.push(qi); f.pop() }); a != 0 {
		t.Errorf("streaming through a fifo one block long: %v allocs, want 0", a)
	}
}

// A queued item gives back exactly the Item it was made from, with and
// without the rarely set fields.
func TestQueuedRoundTrip(t *testing.T) {
	for _, it := range []Item{
		{Key: KeyOf("http://h/a"), URL: "http://h/a", Kind: KindPage, Depth: 3, Page: "http://h/"},
		{Key: KeyOf("http://h/b.png"), URL: "http://h/b.png", Kind: KindImage, Depth: 1, Page: "http://h/",
			Origin: "http://h/old.png", Hops: 2, Attempt: 1, NotBefore: time.Unix(1700000000, 5)},
		{NotBefore: time.Unix(1, 0)},
	} {
		qi := toQueued(it, 9)
		if got := qi.item(); got != it || qi.seq != 9 {
			t.Errorf("round trip of %+v gave %+v (seq %d)", it, got, qi.seq)
		}
		if (qi.rare == nil) != (it.Origin == "" && it.Hops == 0 && it.Attempt == 0 && it.NotBefore.IsZero()) {
			t.Errorf("%+v: rare fields stored as %v", it, qi.rare)
		}
	}
}

// Take shares out pages and images while few images wait; once more than
// imageBacklog images are ready, it hands out images first, so that a site
// of many distinct images does not queue them by the ten thousand. Pages
// still go out breadth-first once the images are down to the backlog.
func TestQueueTakesImagesFirstOverBacklog(t *testing.T) {
	now := time.Now()
	q := NewQueue()
	seq := uint64(0)
	push := func(kind Kind, n int) {
		for range n {
			u := fmt.Sprintf("http://h/%d", seq)
			q.Push(Item{Key: KeyOf(u), URL: u, Kind: kind, Depth: 1}, seq, now)
			seq++
		}
	}
	kinds := func(items []Item) (pages, images int) {
		for _, it := range items {
			if it.Kind.PageLike() {
				pages++
			} else {
				images++
			}
		}
		return pages, images
	}
	push(KindPage, 20)
	push(KindImage, 10)
	if p, i := kinds(q.Take(10, now)); p != 5 || i != 5 {
		t.Fatalf("few images waiting: took %d pages, %d images; want 5 and 5", p, i)
	}
	push(KindImage, imageBacklog)
	if p, i := kinds(q.Take(10, now)); p != 0 || i != 10 {
		t.Fatalf("%d images waiting: took %d pages, %d images; want images only", imageBacklog+5, p, i)
	}
	// Down to the backlog (5+imageBacklog-10 left): shared again.
	if p, i := kinds(q.Take(10, now)); p != 5 || i != 5 {
		t.Fatalf("images down to the backlog: took %d pages, %d images; want 5 and 5", p, i)
	}
	// With more images waiting than asked for, the rest of max still
	// goes to pages: none left idle.
	q2 := NewQueue()
	q, seq = q2, 0
	push(KindImage, imageBacklog+3)
	push(KindPage, 4)
	if p, i := kinds(q.Take(imageBacklog+7, now)); p != 4 || i != imageBacklog+3 {
		t.Fatalf("took %d pages, %d images; want 4 and %d", p, i, imageBacklog+3)
	}
}
