// Package statetest is the conformance suite of state.State: every
// implementation (memory, bbolt, Redis) runs the same behaviours, plus
// small helpers for state tests.
package statetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// Page and Image build frontier items for tests.
func Page(url string, depth int) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindPage, Depth: depth}
}

func Image(url string, depth int) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindImage, Depth: depth, Page: "http://h/page"}
}

// Stylesheet builds a style sheet item used by page, at page's depth.
func Stylesheet(url string, depth int, page string) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindStylesheet, Depth: depth, Page: page}
}

// URLs returns the URLs of items, in order.
func URLs(items []state.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.URL)
	}
	return out
}

// MustAdd adds items and returns which were new, failing the test on error.
func MustAdd(t *testing.T, s state.State, items ...state.Item) []bool {
	t.Helper()
	added, err := s.Add(context.Background(), items)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return added
}

// MustTake takes up to max due items, failing the test on error.
func MustTake(t *testing.T, s state.State, max int, now time.Time) []state.Item {
	t.Helper()
	items, err := s.Take(context.Background(), max, now)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return items
}

// MustDone acknowledges it, failing the test on error.
func MustDone(t *testing.T, s state.State, it state.Item, out state.Outcome) {
	t.Helper()
	if err := s.Done(context.Background(), it, out); err != nil {
		t.Fatalf("Done: %v", err)
	}
}

// MustCounts returns the state's counts, failing the test on error.
func MustCounts(t *testing.T, s state.State) state.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("state.Counts: %v", err)
	}
	return c
}

// WantURLs checks that got holds exactly the URLs want, in order.
func WantURLs(t *testing.T, what string, got []state.Item, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := URLs(got); !reflect.DeepEqual(g, want) {
		t.Errorf("%s: got %q, want %q", what, g, want)
	}
}

// Options says where an implementation may differ from the in-memory
// reference.
type Options struct {
	// MetaFirstWriterWins: SaveMeta keeps the first metadata and refuses
	// different bytes (a shared state, where the first worker's settings
	// are the job's). Otherwise SaveMeta replaces it.
	MetaFirstWriterWins bool
}

// env is what every conformance case gets: a way to open a new, empty
// state, the options, and a fixed time and context.
type env struct {
	open func(t *testing.T) state.State
	opt  Options
	ctx  context.Context
	now  time.Time
}

// cases are the conformance suite's behaviours, by name.
var cases = []struct {
	name string
	run  func(t *testing.T, e env)
}{
	{"add dedupes", testAddDedupes},
	{"take is breadth first", testTakeIsBreadthFirst},
	{"take splits max between pages and images", testTakeSplitsMaxBetweenPagesAndImages},
	{"delayed items are not due and do not hold pages back", testDelayedItemsAreNotDueAndDoNotHoldPagesBack},
	{"requeue waits for not before", testRequeueWaitsForNotBefore},
	{"requeue without not before is due at once", testRequeueWithoutNotBeforeIsDueAtOnce},
	{"done removes from pending", testDoneRemovesFromPending},
	{"claim content first wins", testClaimContentFirstWins},
	{"counts", testCounts},
	{"meta", testMeta},
	{"concurrent add adds each key once", testConcurrentAddAddsEachKeyOnce},
	{"closed", testClosed},
	{"stylesheets are scheduled as pages", testStylesheetsAreScheduledAsPages},
}

// Run is the conformance suite every state.State implementation must pass.
// open returns a new, empty state for each subtest (closing it is open's
// business, through t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) state.State, opt Options) {
	e := env{open: open, opt: opt, ctx: context.Background(), now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, e) })
	}
}

func testAddDedupes(t *testing.T, e env) {
	now, open := e.now, e.open
	s := open(t)
	a, b, c := Page("http://h/a", 0), Page("http://h/b", 0), Image("http://h/c.png", 0)
	if got := MustAdd(t, s, a, b, a); !reflect.DeepEqual(got, []bool{true, true, false}) {
		t.Errorf("first Add = %v, want [true true false]", got)
	}
	if got := MustAdd(t, s, b, c, c); !reflect.DeepEqual(got, []bool{false, true, false}) {
		t.Errorf("second Add = %v, want [false true false]", got)
	}
	if got := MustAdd(t, s); len(got) != 0 {
		t.Errorf("empty Add = %v", got)
	}
	if c := MustCounts(t, s); c.Seen != 3 || c.PagesPending != 2 || c.ImagesPending != 1 {
		t.Errorf("counts = %+v, want 3 seen, 2 pages and 1 image pending", c)
	}
	WantURLs(t, "Take", MustTake(t, s, 10, now), "http://h/a", "http://h/b", "http://h/c.png")
}

func testTakeIsBreadthFirst(t *testing.T, e env) {
	now, open := e.now, e.open
	s := open(t)
	MustAdd(t, s, Page("http://h/d2", 2), Page("http://h/p1", 1), Image("http://h/i2.png", 2), Page("http://h/q1", 1))
	first := MustTake(t, s, 10, now)
	WantURLs(t, "first Take (depth-1 pages and images)", first, "http://h/p1", "http://h/q1", "http://h/i2.png")
	WantURLs(t, "Take while depth-1 pages are out", MustTake(t, s, 10, now))
	MustDone(t, s, first[0], state.Outcome{Status: state.Parsed})
	WantURLs(t, "Take while one depth-1 page is out", MustTake(t, s, 10, now))
	MustDone(t, s, first[1], state.Outcome{Status: state.Parsed})
	WantURLs(t, "Take after depth 1", MustTake(t, s, 10, now), "http://h/d2")
}

func testTakeSplitsMaxBetweenPagesAndImages(t *testing.T, e env) {
	now, open := e.now, e.open
	s := open(t)
	MustAdd(t, s, Page("http://h/p1", 0), Page("http://h/p2", 0), Page("http://h/p3", 0),
		Image("http://h/1.png", 0), Image("http://h/2.png", 0))
	WantURLs(t, "Take(2)", MustTake(t, s, 2, now), "http://h/p1", "http://h/1.png")
	WantURLs(t, "Take(0)", MustTake(t, s, 0, now))
}

func testDelayedItemsAreNotDueAndDoNotHoldPagesBack(t *testing.T, e env) {
	now, open := e.now, e.open
	s := open(t)
	later := Page("http://h/later", 1)
	later.NotBefore = now.Add(time.Hour)
	MustAdd(t, s, later, Page("http://h/deep", 3))
	WantURLs(t, "Take now", MustTake(t, s, 10, now), "http://h/deep")
	got := MustTake(t, s, 10, now.Add(2*time.Hour))
	WantURLs(t, "Take when due", got, "http://h/later")
	if len(got) == 1 && !got[0].NotBefore.Equal(later.NotBefore) {
		t.Errorf("NotBefore = %v, want %v", got[0].NotBefore, later.NotBefore)
	}
}

func testRequeueWaitsForNotBefore(t *testing.T, e env) {
	ctx, now, open := e.ctx, e.now, e.open
	s := open(t)
	MustAdd(t, s, Page("http://h/a", 0))
	it := MustTake(t, s, 1, now)[0]
	it.Attempt++
	it.NotBefore = now.Add(time.Minute)
	if err := s.Requeue(ctx, it); err != nil {
		t.Fatal(err)
	}
	WantURLs(t, "Take before not-before", MustTake(t, s, 10, now))
	if c := MustCounts(t, s); c.PagesPending != 1 {
		t.Errorf("PagesPending = %d while waiting, want 1", c.PagesPending)
	}
	got := MustTake(t, s, 10, now.Add(2*time.Minute))
	WantURLs(t, "Take after not-before", got, "http://h/a")
	if len(got) == 1 && got[0].Attempt != 1 {
		t.Errorf("Attempt = %d, want 1", got[0].Attempt)
	}
	other := Page("http://h/never-taken", 0)
	if err := s.Requeue(ctx, other); err != nil {
		t.Fatal(err)
	}
	WantURLs(t, "Take after requeue of an item not handed out", MustTake(t, s, 10, now.Add(time.Hour)))
}

func testRequeueWithoutNotBeforeIsDueAtOnce(t *testing.T, e env) {
	ctx, now, open := e.ctx, e.now, e.open
	s := open(t)
	MustAdd(t, s, Page("http://h/a", 0), Page("http://h/b", 0))
	it := MustTake(t, s, 1, now)[0]
	if err := s.Requeue(ctx, it); err != nil {
		t.Fatal(err)
	}
	WantURLs(t, "Take", MustTake(t, s, 10, now), "http://h/b", "http://h/a")
}

func testDoneRemovesFromPending(t *testing.T, e env) {
	ctx, now, open := e.ctx, e.now, e.open
	s := open(t)
	p, img := Page("http://h/a", 0), Image("http://h/a.png", 0)
	MustAdd(t, s, p, img)
	MustDone(t, s, p, state.Outcome{Status: state.Parsed}) // not handed out: ignored
	if c := MustCounts(t, s); c.PagesDone != 0 || c.PagesPending != 1 {
		t.Errorf("after Done of an item not handed out: %+v", c)
	}
	for _, it := range MustTake(t, s, 10, now) {
		MustDone(t, s, it, state.Outcome{Status: state.Saved, Bytes: 5})
		MustDone(t, s, it, state.Outcome{Status: state.Saved, Bytes: 5}) // twice: counted once
		if err := s.Requeue(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	want := state.Counts{PagesDone: 1, Saved: 1, Bytes: 5, Seen: 2}
	if c := MustCounts(t, s); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	WantURLs(t, "Take after Done", MustTake(t, s, 10, now.Add(time.Hour)))
	if got := MustAdd(t, s, p); got[0] {
		t.Error("an acknowledged item was added again")
	}
}

func testClaimContentFirstWins(t *testing.T, e env) {
	ctx, open := e.ctx, e.open
	s := open(t)
	sum, other := sha256.Sum256([]byte("x")), sha256.Sum256([]byte("y"))
	for _, tc := range []struct {
		sum       [32]byte
		path, by  string // by: the claiming item's URL
		wantOwner string
		wantFirst bool
	}{
		{sum, "a.png", "http://h/1", "a.png", true},
		{sum, "b.png", "http://h/2", "a.png", false},
		{other, "b.png", "http://h/2", "b.png", true},
		{sum, "a.png", "http://h/3", "a.png", false},
		// The item that claimed it, redone after a crash, keeps it.
		{sum, "a.png", "http://h/1", "a.png", true},
	} {
		owner, first, err := s.ClaimContent(ctx, tc.sum, tc.path, state.KeyOf(tc.by))
		if err != nil || owner != tc.wantOwner || first != tc.wantFirst {
			t.Errorf("ClaimContent(%x, %s, by %s) = %q, %v, %v; want %q, %v", tc.sum[:4], tc.path, tc.by, owner, first, err, tc.wantOwner, tc.wantFirst)
		}
	}
}

func testCounts(t *testing.T, e env) {
	now, open := e.now, e.open
	s := open(t)
	outs := map[string]state.Outcome{
		"http://h/1.png": {Status: state.Saved, Bytes: 100},
		"http://h/2.png": {Status: state.Saved, Bytes: 20},
		"http://h/3.png": {Status: state.Duplicate, Bytes: 20},
		"http://h/4.png": {Status: state.Skipped},
		"http://h/5.png": {Status: state.Failed, Error: "boom"},
	}
	for u := range outs {
		MustAdd(t, s, Image(u, 1))
	}
	MustAdd(t, s, Page("http://h/p", 1), Page("http://h/q", 1), Image("http://h/6.png", 1))
	for _, it := range MustTake(t, s, 20, now) {
		if out, ok := outs[it.URL]; ok {
			MustDone(t, s, it, out)
		} else if it.URL == "http://h/p" {
			MustDone(t, s, it, state.Outcome{Status: state.Parsed})
		}
	}
	want := state.Counts{PagesDone: 1, PagesPending: 1, ImagesPending: 1, Saved: 2, Duplicates: 1, Skipped: 1, Failed: 1, Bytes: 120, Seen: 8}
	if c := MustCounts(t, s); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
}

func testMeta(t *testing.T, e env) {
	ctx, open, opt := e.ctx, e.open, e.opt
	s := open(t)
	if m, ok, err := s.LoadMeta(ctx); err != nil || ok || len(m) != 0 {
		t.Errorf("LoadMeta of a new state = %q, %v, %v", m, ok, err)
	}
	first, second := `{"seeds":["http://h/"]}`, `{"v":2}`
	for _, tc := range []struct {
		meta, want string
		wantErr    bool
	}{
		{first, first, false},
		{first, first, false},
		{second, second, false},
	} {
		if opt.MetaFirstWriterWins && tc.meta == second {
			tc.want, tc.wantErr = first, true
		}
		if err := s.SaveMeta(ctx, []byte(tc.meta)); (err != nil) != tc.wantErr {
			t.Errorf("SaveMeta(%s) = %v, want error %v", tc.meta, err, tc.wantErr)
		}
		if m, ok, err := s.LoadMeta(ctx); err != nil || !ok || string(m) != tc.want {
			t.Errorf("LoadMeta = %q, %v, %v; want %q", m, ok, err, tc.want)
		}
	}
}

func testConcurrentAddAddsEachKeyOnce(t *testing.T, e env) {
	ctx, open := e.ctx, e.open
	s := open(t)
	const workers, keys = 8, 2000
	counts := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		counts[w] = make([]int, keys)
		wg.Go(func() {
			// Each worker adds every key, in its own order and batch size.
			batch := 1 + w*3
			for start := 0; start < keys; start += batch {
				var items []state.Item
				for i := start; i < min(start+batch, keys); i++ {
					k := (i + w*251) % keys
					items = append(items, Image(fmt.Sprintf("http://h/%d.png", k), 0))
				}
				added, err := s.Add(ctx, items)
				if err != nil {
					t.Error(err)
					return
				}
				for i, ok := range added {
					if ok {
						counts[w][(start+i+w*251)%keys]++
					}
				}
			}
		})
	}
	wg.Wait()
	for k := range keys {
		n := 0
		for w := range workers {
			n += counts[w][k]
		}
		if n != 1 {
			t.Errorf("key %d added %d times", k, n)
		}
	}
	if c := MustCounts(t, s); c.Seen != keys || c.ImagesPending != keys {
		t.Errorf("counts = %+v, want %d seen and pending", c, keys)
	}
}

func testClosed(t *testing.T, e env) {
	ctx, now, open := e.ctx, e.now, e.open
	s := open(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, []state.Item{Page("http://h/a", 0)}); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Add after Close: %v, want state.ErrClosed", err)
	}
	if _, err := s.Take(ctx, 1, now); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Take after Close: %v, want state.ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// testStylesheetsAreScheduledAsPages checks that a style sheet item keeps
// its kind and fields through the state, holds deeper pages back as a page
// of its depth does, and is counted with the pages.
func testStylesheetsAreScheduledAsPages(t *testing.T, e env) {
	now, open := e.now, e.open
	s := open(t)
	css := Stylesheet("http://h/css/a.css", 1, "http://h/p1")
	css.Origin, css.Hops, css.Attempt = "http://h/old.css", 1, 2
	MustAdd(t, s, css, Page("http://h/p2", 2), Image("http://h/i.png", 1))
	if c := MustCounts(t, s); c.PagesPending != 2 || c.ImagesPending != 1 {
		t.Errorf("counts = %+v, want 2 pages (one a style sheet) and 1 image pending", c)
	}
	got := MustTake(t, s, 10, now)
	WantURLs(t, "first Take (the depth-1 style sheet and the image)", got, "http://h/css/a.css", "http://h/i.png")
	if len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got[0], css) {
		t.Errorf("style sheet handed out as %+v, want %+v", got[0], css)
	}
	WantURLs(t, "Take while the style sheet is out", MustTake(t, s, 10, now))
	MustDone(t, s, got[0], state.Outcome{Status: state.Parsed})
	WantURLs(t, "Take after the style sheet", MustTake(t, s, 10, now), "http://h/p2")
	if c := MustCounts(t, s); c.PagesDone != 1 {
		t.Errorf("PagesDone = %d, want 1 (the style sheet)", c.PagesDone)
	}
}
