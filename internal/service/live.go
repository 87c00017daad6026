package service

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/fetch"
)

// maxRecentErrors is how many failures a job keeps for its page.
const maxRecentErrors = 50

// Counters are what a job's current run did, from its events.
type Counters struct {
	Pages       int64 `json:"pages"`
	Stylesheets int64 `json:"stylesheets"`
	Images      int64 `json:"images"`
	Duplicates  int64 `json:"duplicates"`
	Skipped     int64 `json:"skipped"`
	Failed      int64 `json:"failed"`
	Bytes       int64 `json:"bytes"`
	Requests    int64 `json:"requests"` // HTTP requests started (robots.txt aside)
	InFlight    int64 `json:"in_flight"`
}

// HostRow is one host's line in a job's host table.
type HostRow struct {
	Host       string    `json:"host"`
	InFlight   int       `json:"in_flight"`
	Done       int64     `json:"done"`
	Errors     int64     `json:"errors"`
	WaitUntil  time.Time `json:"wait_until,omitzero"` // the last time the host was held past (Retry-After, Crawl-delay, a rate)
	lastActive time.Time
}

// ErrorRow is one recent failure.
type ErrorRow struct {
	Time  time.Time `json:"time"`
	Kind  string    `json:"kind"`
	URL   string    `json:"url"`
	Class string    `json:"class"`
	Error string    `json:"error"`
}

// ItemEvent is an event as the event stream sends it.
type ItemEvent struct {
	Kind        string `json:"kind"`
	URL         string `json:"url"`
	Page        string `json:"page,omitempty"`
	Depth       int    `json:"depth"`
	Status      string `json:"status"`
	Path        string `json:"path,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Bytes       int64  `json:"bytes,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Error       string `json:"error,omitempty"`
}

// live is a job's view of its running crawl: counters, the host table and
// recent errors, fed by the crawl's events and its gate, and the fan-out
// of those events to the event streams. Safe for concurrent use.
type live struct {
	mu     sync.Mutex
	c      Counters
	hosts  map[string]*HostRow
	errs   []ErrorRow
	subs   map[chan message]struct{}
	onItem func(ItemEvent) // the thumbnailer, for saved images; may be nil
	m      *metrics
}

// message is one server-sent event: its name and JSON data.
type message struct {
	name string
	data []byte
}

func newLive(m *metrics) *live {
	return &live{hosts: make(map[string]*HostRow), subs: make(map[chan message]struct{}), m: m}
}

// reset starts the counters of a new run.
func (l *live) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c = Counters{}
	l.hosts = make(map[string]*HostRow)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// event takes a crawl event (Config.OnEvent: one goroutine, must not block).
func (l *live) event(ev crawler.Event) {
	it := ItemEvent{Kind: ev.Kind.String(), URL: fetch.Redact(ev.URL), Page: fetch.Redact(ev.Page), Depth: ev.Depth,
		Status: string(ev.Status), Path: ev.Path, SHA256: ev.SHA256, Bytes: ev.Bytes,
		ContentType: ev.ContentType, Width: ev.Width, Height: ev.Height}
	class := ""
	if ev.Err != nil {
		it.Error = ev.Err.Error()
		class = errorClass(ev.Err)
	}
	l.m.event(ev, class)
	l.mu.Lock()
	switch ev.Status {
	case crawler.Parsed:
		if ev.Kind == crawler.KindStylesheet {
			l.c.Stylesheets++
		} else {
			l.c.Pages++
		}
	case crawler.Saved:
		l.c.Images++
		l.c.Bytes += ev.Bytes
	case crawler.Duplicate:
		l.c.Duplicates++
	case crawler.Skipped:
		l.c.Skipped++
	case crawler.Failed:
		l.c.Failed++
	}
	if h := hostOf(ev.URL); h != "" {
		row := l.host(h)
		row.Done++
		if ev.Status == crawler.Failed {
			row.Errors++
		}
	}
	if ev.Status == crawler.Failed {
		l.errs = append(l.errs, ErrorRow{Time: time.Now(), Kind: it.Kind, URL: it.URL, Class: class, Error: it.Error})
		if len(l.errs) > maxRecentErrors {
			l.errs = slices.Delete(l.errs, 0, len(l.errs)-maxRecentErrors)
		}
	}
	onItem := l.onItem
	l.mu.Unlock()
	if ev.Kind == crawler.KindImage && ev.Status == crawler.Saved && onItem != nil {
		onItem(it)
	}
	l.publish("item", it)
}

// maxHosts bounds a job's host table: beyond it, the rows of idle hosts
// are dropped, least recently active first.
const maxHosts = 1000

// host returns host's row, making it; l.mu is held.
func (l *live) host(h string) *HostRow {
	row := l.hosts[h]
	if row == nil {
		if len(l.hosts) >= maxHosts {
			l.evictHosts()
		}
		row = &HostRow{Host: h}
		l.hosts[h] = row
	}
	row.lastActive = time.Now()
	return row
}

// evictHosts drops the idle half of the host table; l.mu is held.
func (l *live) evictHosts() {
	now := time.Now()
	idle := make([]*HostRow, 0, len(l.hosts))
	for _, r := range l.hosts {
		if r.InFlight == 0 && !r.WaitUntil.After(now) {
			idle = append(idle, r)
		}
	}
	slices.SortFunc(idle, func(a, b *HostRow) int { return a.lastActive.Compare(b.lastActive) })
	for _, r := range idle[:len(idle)/2] {
		delete(l.hosts, r.Host)
	}
}

// started and ended bracket a request to host (from the job's gate).
func (l *live) started(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.host(host).InFlight++
	l.c.InFlight++
	l.c.Requests++
}

func (l *live) ended(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.host(host).InFlight--
	l.c.InFlight--
}

func (l *live) paused(host string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if row := l.host(host); t.After(row.WaitUntil) {
		row.WaitUntil = t
	}
}

// view returns the counters, the busiest hosts (at most 50) and the recent
// errors, newest first.
func (l *live) view() (Counters, []HostRow, []ErrorRow) {
	l.mu.Lock()
	defer l.mu.Unlock()
	hosts := make([]HostRow, 0, len(l.hosts))
	for _, h := range l.hosts {
		hosts = append(hosts, *h)
	}
	slices.SortFunc(hosts, func(a, b HostRow) int {
		if a.InFlight != b.InFlight {
			return b.InFlight - a.InFlight
		}
		return b.lastActive.Compare(a.lastActive)
	})
	if len(hosts) > 50 {
		hosts = hosts[:50]
	}
	errs := slices.Clone(l.errs)
	slices.Reverse(errs)
	return l.c, hosts, errs
}

// subscribe returns a channel of the job's events; cancel ends it. A
// subscriber that falls behind loses events (it is told by a "dropped"
// event), never slows the crawl.
func (l *live) subscribe() (<-chan message, func()) {
	ch := make(chan message, 256)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		delete(l.subs, ch)
		l.mu.Unlock()
	}
}

// publish sends an event to every subscriber without blocking.
func (l *live) publish(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- message{name, data}:
		default:
			select {
			case ch <- message{"dropped", []byte("{}")}:
			default:
			}
		}
	}
}

// errorClass names the kind of a failure for the errors metric.
func errorClass(err error) string {
	var se *fetch.StatusError
	var pe *fetch.PolicyError
	var tl *fetch.TooLargeError
	var te *fetch.TimeoutError
	var sb *fetch.ShortBodyError
	var ue *fetch.UnreachableError
	var ru *fetch.RobotsUnavailableError
	switch {
	case errors.Is(err, crawler.ErrRobots):
		return "robots"
	case errors.Is(err, crawler.ErrOutOfScope):
		return "scope"
	case errors.As(err, &ru):
		return "robots_unavailable"
	case errors.As(err, &se):
		if se.Code >= 500 {
			return "http_5xx"
		}
		return "http_4xx"
	case errors.As(err, &pe):
		return "policy"
	case errors.As(err, &tl):
		return "too_large"
	case errors.As(err, &te):
		return "timeout"
	case errors.As(err, &sb):
		return "short_body"
	case errors.As(err, &ue):
		return "unreachable"
	}
	return "other"
}
