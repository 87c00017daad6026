package crawler

import (
	"time"

	"github.com/imgcrawl/imgcrawl/store"
)

// Event reports one page or image that completed (or failed for good).
type Event struct {
	Kind        store.Kind // KindPage or KindImage
	URL         string     // the URL as found (before redirects)
	Page        string     // the page that named it ("" for seeds)
	Depth       int
	Status      string // pages: "parsed", "skipped", "failed"; images: "saved", "duplicate", "skipped", "failed"
	Path        string // images: file path relative to OUT
	SHA256      string
	Bytes       int64
	ContentType string
	Width       int
	Height      int
	Err         error // why it failed or was skipped
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
