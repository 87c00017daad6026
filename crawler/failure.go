package crawler

import (
	"errors"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
)

// Why a URL was skipped before anything was fetched from it; an Event's Err
// wraps one of them (errors.Is).
var (
	// ErrRobots: robots.txt disallows the URL.
	ErrRobots = errors.New("disallowed by robots.txt")
	// ErrOutOfScope: a page redirects to a URL the scope does not follow.
	ErrOutOfScope = errors.New("redirects out of scope")
)

// Failure is a URL that could not be had, and why. Err keeps the error's
// type: errors.As finds a *fetch.PolicyError, a *fetch.StatusError, and
// errors.Is finds ErrRobots or ErrOutOfScope. A Failure is an error itself,
// and unwraps to Err.
type Failure struct {
	URL string // the URL as found (before redirects), without credentials
	Err error
}

// Error writes "URL: why", naming each URL once: the URL is not repeated
// by the error chain, nor are the chain's "fetch: " prefixes kept.
func (f Failure) Error() string { return f.URL + ": " + reason(f.URL, f.Err) }

// Unwrap returns Err.
func (f Failure) Unwrap() error { return f.Err }

// failure returns the Failure an event reports.
func failure(ev *Event) Failure {
	err := ev.Err
	if err == nil {
		err = errors.New(string(ev.Status))
	}
	return Failure{URL: fetch.Redact(ev.URL), Err: err}
}

// reason is err's message without what the line "u: " already says: the
// package prefixes fetch puts on each layer ("fetch: get u: ..."); and for
// robots.txt, the host the wrapped error names again, and until when it was
// unavailable (the URL has given up).
func reason(u string, err error) string {
	msg := err.Error()
	var ue *fetch.RobotsUnavailableError
	if errors.As(err, &ue) {
		said := "robots.txt for " + ue.Host + " unavailable until " + ue.RetryAt.Format(time.RFC3339)
		short := "robots.txt for " + ue.Host + " unavailable"
		if ue.Err != nil && strings.Contains(ue.Err.Error(), ue.Host) {
			short = "robots.txt unavailable"
		}
		msg = strings.Replace(msg, said, short, 1)
	}
	for _, p := range []string{"fetch: get " + u + ": ", "fetch: " + u + ": ", "fetch: get ", "fetch: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return strings.TrimPrefix(msg, u+": ")
}

// fetched reports whether an event's URL was fetched: a page parsed, an
// image saved or found a duplicate, or either skipped for what the response
// held. A failure was not, nor a URL skipped before any request (robots.txt,
// a redirect out of scope).
func fetched(ev *Event) bool {
	switch ev.Status {
	case Failed:
		return false
	case Skipped:
		return !errors.Is(ev.Err, ErrRobots) && !errors.Is(ev.Err, ErrOutOfScope)
	}
	return true
}
