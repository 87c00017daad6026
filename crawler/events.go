package crawler

import (
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// Kind says whether an event is about a page or an image; it is the crawl
// state's kind, repeated here so that programs need not import store/state.
type Kind = state.Kind

// The kinds.
const (
	KindPage  = state.KindPage
	KindImage = state.KindImage
)

// Status is what became of a page or an image (the manifest's "status").
type Status = state.Status

// The statuses: pages end Parsed, Skipped or Failed; images Saved,
// Duplicate, Skipped or Failed.
const (
	Parsed    = state.Parsed
	Saved     = state.Saved
	Duplicate = state.Duplicate
	Skipped   = state.Skipped
	Failed    = state.Failed
)

// Event reports one page or image that completed (or failed for good).
type Event struct {
	Kind  Kind   // KindPage or KindImage
	URL   string // the URL as found (before redirects)
	Page  string // the page that named it ("" for seeds)
	Depth int
	// Result is what became of it: for an image that reached the writer,
	// everything the writer reports (Status, Path, SHA256, Bytes,
	// ContentType, Width, Height); otherwise only Status.
	store.Result
	Err error // why it failed or was skipped
}

// event returns an event with only a status (a page, or an image that
// never reached the writer).
func event(kind Kind, url string, status Status, err error) Event {
	return Event{Kind: kind, URL: url, Result: store.Result{Status: status}, Err: err}
}

// Summary is what a crawl did.
type Summary struct {
	Pages      int64 // pages parsed
	Images     int64 // images saved
	Duplicates int64 // images whose content was saved already
	Skipped    int64 // pages and images skipped (robots, filters, not an image)
	Failed     int64 // pages and images that failed for good
	Bytes      int64 // bytes of images saved
	Elapsed    time.Duration
	// Errors holds the first failures (at most 20), for the summary display.
	Errors []string
}
