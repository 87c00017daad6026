package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Key identifies a normalized URL in the seen set: the first 16 bytes of its
// SHA-256. A fixed-size key keeps the seen set small, in memory, in a file
// or in Redis.
type Key [16]byte

// KeyOf returns the key of a normalized URL.
func KeyOf(normalizedURL string) Key {
	// Hash a copy on the stack when the URL fits: []byte(normalizedURL)
	// is stack-allocated only up to 32 bytes, shorter than most URLs.
	var buf [256]byte
	var b []byte
	if len(normalizedURL) <= len(buf) {
		b = append(buf[:0], normalizedURL...)
	} else {
		b = []byte(normalizedURL)
	}
	sum := sha256.Sum256(b)
	var k Key
	copy(k[:], sum[:16])
	return k
}

// String returns the key in hex.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Kind says what a frontier item is fetched for.
type Kind uint8

// The kinds of frontier item.
const (
	KindPage  Kind = 1 // an HTML page: parsed for links and images
	KindImage Kind = 2 // an image: streamed to disk
	// KindStylesheet is a style sheet a page uses (or one it imports):
	// read for its images and imports, at the depth of its page. It is
	// queued, handed out and counted as a page is (see PageLike).
	KindStylesheet Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindPage:
		return "page"
	case KindImage:
		return "image"
	case KindStylesheet:
		return "stylesheet"
	}
	return "unknown"
}

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool { return k == KindPage || k == KindImage || k == KindStylesheet }

// PageLike reports whether items of kind k are scheduled as pages: in the
// breadth-first queue by depth, in the pending and done counts of pages.
// Pages and style sheets are; images are not.
func (k Kind) PageLike() bool { return k == KindPage || k == KindStylesheet }

// Item is one unit of frontier work: a URL to fetch, with where it came from.
type Item struct {
	Key       Key       // KeyOf(URL)
	URL       string    // normalized absolute URL
	Kind      Kind      // page, image or style sheet
	Depth     int       // link distance from the nearest seed (an image has its page's depth)
	Page      string    // the page that referenced this image or link; "" for seeds
	Origin    string    // the URL first requested when this item is a redirect target; "" otherwise
	Hops      int       // redirects followed to reach URL
	Attempt   int       // failed attempts so far
	NotBefore time.Time // not to be fetched before this time; zero = now
}

// Status is what became of a page or an image. The values are stored as
// these strings (state files, Redis, the manifest's "status" field), so they
// never change.
type Status string

// The statuses. Pages end Parsed, Skipped or Failed; images Saved,
// Duplicate, Skipped or Failed.
const (
	Parsed    Status = "parsed"    // a page fetched and parsed for links and images
	Saved     Status = "saved"     // an image written under a new file
	Duplicate Status = "duplicate" // an image whose content is saved already, under another file
	Skipped   Status = "skipped"   // not fetched or not kept: robots.txt, filters, not an image
	Failed    Status = "failed"    // failed for good, after any retries
	// Redirected is recorded for an item whose URL redirected: the target
	// is an item of its own, which ends with one of the statuses above.
	Redirected Status = "redirected"
)

// Outcome is what became of an item, recorded when it is acknowledged.
type Outcome struct {
	Status Status
	Bytes  int64 // bytes saved (Saved images)
	Error  string
	// Record is what the caller wants kept with the acknowledgement (the
	// crawler keeps the image's manifest line): a Recorder hands it back.
	// States that are not Recorders ignore it.
	Record []byte
}

// Counts summarises a stored crawl.
type Counts struct {
	PagesDone     int64 // pages and style sheets (PageLike kinds) acknowledged
	PagesPending  int64 // queued or handed out, not yet acknowledged (style sheets too)
	ImagesPending int64
	Saved         int64
	Duplicates    int64
	Skipped       int64
	Failed        int64
	Bytes         int64 // bytes of saved images
	Seen          int64 // distinct URLs ever added
}

// State is the crawl's memory: the seen set, the frontier and the content
// index. Implementations must be safe for concurrent use.
//
// The contract that makes a crawl resumable and shareable:
//   - Add marks each item's key seen and enqueues it in one atomic step;
//     an item whose key was seen before is not enqueued again.
//   - Take hands items out under a lease; an item stays pending until Done
//     (acknowledged) or Requeue (back in the queue with a not-before time).
//     Items handed out but never acknowledged (a crash) are handed out again
//     by a later Take after the state is reopened (or after the lease expires,
//     for shared states).
//   - Take hands out pages breadth-first: no page of depth d+1 while a page
//     of depth <= d is due or handed out. Items waiting for a not-before time
//     do not hold deeper pages back.
//   - ClaimContent records the first path saved for a content hash, and
//     which item saved it.
type State interface {
	// LoadMeta returns the crawl's stored metadata; ok is false for a new state.
	LoadMeta(ctx context.Context) (meta []byte, ok bool, err error)
	// SaveMeta stores the crawl's metadata.
	SaveMeta(ctx context.Context, meta []byte) error
	// Add marks items seen and enqueues those not seen before. added[i]
	// reports whether items[i] was new.
	Add(ctx context.Context, items []Item) (added []bool, err error)
	// Take hands out up to max due items (NotBefore <= now).
	Take(ctx context.Context, max int, now time.Time) ([]Item, error)
	// Requeue puts a handed-out item back with its (updated) NotBefore.
	Requeue(ctx context.Context, it Item) error
	// Done acknowledges a handed-out item with its outcome.
	Done(ctx context.Context, it Item, out Outcome) error
	// ClaimContent records path as the file for content hash sum, claimed
	// by the item with key by, unless one is recorded already. It returns
	// the recorded path, and first: whether the claim is by's, recorded by
	// this call or by an earlier call for the same item (an item redone
	// after a crash keeps its claim).
	ClaimContent(ctx context.Context, sum [32]byte, path string, by Key) (owner string, first bool, err error)
	// Counts summarises the crawl.
	Counts(ctx context.Context) (Counts, error)
	// Flush makes everything acknowledged so far durable.
	Flush(ctx context.Context) error
	// Close flushes and releases the state.
	Close() error
}

// Recorder is a State that keeps each acknowledgement's Outcome.Record, so
// that what the caller writes from acknowledgements (the manifest) can be
// rebuilt after a crash from what the state acknowledged. The bbolt state is
// one; Memory (nothing to rebuild) and the Redis state (one record per job,
// many writers) are not.
type Recorder interface {
	// Records calls fn with the Record of every acknowledged item that has
	// one, in the order they were acknowledged, until fn returns an error.
	// rec is valid only during the call.
	Records(ctx context.Context, fn func(rec []byte) error) error
}

// ErrClosed is returned by a State used after Close.
var ErrClosed = errors.New("state: closed")

// ErrUnavailable marks an error of a shared state that should pass by
// itself: the server is loading its data after a restart, is a replica
// until a failover completes, or its cluster is re-electing a master.
// Callers retry such errors with backoff (errors.Is(err, ErrUnavailable)).
var ErrUnavailable = errors.New("state: unavailable for now")
