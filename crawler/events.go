package crawler

import (
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// Kind says whether an event is about a page, an image or a style sheet;
// it is the crawl state's kind, repeated here so that programs need not
// import store/state.
type Kind = state.Kind

// The kinds.
const (
	KindPage       = state.KindPage
	KindImage      = state.KindImage
	KindStylesheet = state.KindStylesheet
)

// Status is what became of a page or an image (the manifest's "status").
type Status = state.Status

// The statuses: pages and style sheets end Parsed, Skipped or Failed;
// images Saved, Duplicate, Skipped or Failed.
const (
	Parsed    = state.Parsed
	Saved     = state.Saved
	Duplicate = state.Duplicate
	Skipped   = state.Skipped
	Failed    = state.Failed
)

// Event reports one page, image or style sheet that completed (or failed
// for good). Only images are written to the manifest.
type Event struct {
	Kind  Kind   // KindPage, KindImage or KindStylesheet
	URL   string // the URL as found (before redirects)
	Page  string // the page (or, for what a style sheet names, the style sheet) that named it; "" for seeds
	Depth int
	// Result is what became of it: for an image that reached the writer,
	// everything the writer reports (Status, Path, SHA256, Bytes,
	// ContentType, Width, Height); otherwise only Status.
	store.Result
	Err error // why it failed or was skipped
	// FetchedAt is when it ended (UTC); ETag and LastModified are an
	// image response's validators.
	FetchedAt          time.Time
	ETag, LastModified string

	line []byte // an image's manifest line, as the state recorded it
}

// event returns an event with only a status (a page, or an image that
// never reached the writer).
func event(kind Kind, url string, status Status, err error) Event {
	return Event{Kind: kind, URL: url, Result: store.Result{Status: status}, Err: err, FetchedAt: now()}
}

// now is an event's FetchedAt: the time in UTC, to the microsecond (what
// the SQL index keeps).
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// entry returns an image event's manifest entry.
func entry(ev *Event) store.Entry {
	e := store.Entry{URL: ev.URL, Page: ev.Page, Depth: ev.Depth, Result: ev.Result,
		FetchedAt: ev.FetchedAt, ETag: ev.ETag, LastModified: ev.LastModified}
	if ev.Err != nil {
		e.Error = ev.Err.Error()
	}
	return e
}

// manifestLine encodes an image event as its manifest line.
func manifestLine(ev *Event) []byte {
	e := entry(ev)
	return e.Line()
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
	Errors []Failure

	// Rendered counts the pages loaded in the browser (Config.Render),
	// which are in Pages too.
	Rendered int64

	// Stylesheets counts the style sheets read for images (they are not
	// in Pages; the state's Counts count them with the pages).
	Stylesheets int64

	// Seeds counts the URLs the caller gave (Config.Seeds, or the image URLs
	// of Config.Images) that ended in this run; SeedsFetched those of them
	// that were fetched (see Failure: a seed that failed, or was skipped
	// before any request by robots.txt or a redirect out of scope, was not).
	Seeds, SeedsFetched int64
	// SeedFailures holds, for the first seeds (at most 20) that ended
	// without being fetched, why. A failed seed is in Errors too.
	SeedFailures []Failure

	// Resumed is set when the state held a stored crawl that this run
	// continued (the counts above are this run's; Total is the crawl's).
	Resumed bool
	// AlreadyDone counts image URLs given to a `get` crawl (Config.Images)
	// that the state had seen: done in an earlier run, or listed twice.
	// They are not fetched again, and not counted as duplicates.
	AlreadyDone int64
	// Sitemaps says what the sitemaps gave, with Config.Sitemaps.
	Sitemaps SitemapCounts
	// Total is what the state holds at the end: the whole crawl, every run
	// included (zero if the state could not say).
	Total state.Counts
	// CrawlID is the crawl's id (Settings.CrawlID): its rows in the index.
	CrawlID string
	// Indexed counts the rows this run wrote into Config.Index.
	Indexed int64
}

// NothingFetched reports whether this run ended seeds but fetched none of
// them, nor anything else: every URL given failed (a typo, a host down, a
// 404, robots.txt) and the run did nothing. SeedFailures says why.
func (s Summary) NothingFetched() bool {
	return s.Seeds > 0 && s.SeedsFetched == 0 && s.Pages+s.Images+s.Duplicates == 0
}
