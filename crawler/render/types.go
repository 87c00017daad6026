package render

import (
	"context"
	"net/http"
)

// Page is a page to render: its URL and the document the caller already
// fetched, which the browser is given instead of fetching it again.
type Page struct {
	URL         string
	ContentType string // the document's Content-Type ("" = text/html)
	Body        []byte // the decoded document
}

// Kind is what a request of the browser is for, as the browser says.
type Kind string

// The kinds that reach a Loader.
const (
	KindDocument   Kind = "document" // a frame's document
	KindScript     Kind = "script"
	KindStylesheet Kind = "stylesheet"
	KindXHR        Kind = "xhr" // XMLHttpRequest and fetch()
	KindOther      Kind = "other"
)

// Request is a GET request of the browser, for a Loader to answer.
type Request struct {
	URL  string
	Kind Kind
	Page string // the URL of the page being rendered
	// Header holds the few request headers worth passing on (Accept,
	// Referer, X-Requested-With); the Loader adds its own.
	Header http.Header
}

// Response is a Loader's answer. Body is the whole decoded body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Loader answers a browser request, applying the caller's rules. An error
// fails the request in the browser; an error wrapping ErrRefused says the
// rules forbid it (robots.txt, the address policy) rather than that it
// failed. It is called from many goroutines at once.
type Loader func(ctx context.Context, r Request) (Response, error)

// Result is what a rendered page shows.
type Result struct {
	// URL is the document's address after scripts ran (location.href):
	// the base of the URLs in HTML.
	URL string
	// HTML is the rendered DOM, serialized (UTF-8).
	HTML []byte
	// Images lists the images the page asked for, in order, each once.
	// None of them was fetched: the browser got a placeholder.
	Images []string
	// Backgrounds lists the background images of the computed styles of
	// the page's elements (and their ::before and ::after), absolute.
	Backgrounds []string
	// Loaded counts the requests answered by the Loader, Blocked those
	// refused (fonts, media, trackers, other methods than GET, and those
	// the Loader refused or failed).
	Loaded, Blocked int
	// Tries is 2 when the first try failed (a crash, a hang) and the page
	// was loaded again in a fresh tab.
	Tries int
}
