package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// The bounds of the sitemaps a crawl reads (Config.Sitemaps). Each file is
// also bounded by extract.ParseSitemap: 50,000 entries.
const (
	// SitemapMaxBytes caps a sitemap file, after decompression, as the
	// sitemaps protocol does (50 MiB).
	SitemapMaxBytes = 50 << 20
	// SitemapMaxFiles caps the sitemap files a crawl reads, index files
	// included, over all hosts.
	SitemapMaxFiles = 1000
	// SitemapMaxLevel is how deep sitemap indexes are followed: a file
	// named by robots.txt is level 0, a file its index lists level 1, and so
	// on. The protocol allows one level; some sites nest more.
	SitemapMaxLevel = 3
)

// SitemapCounts says what a crawl's sitemaps gave (Config.Sitemaps).
type SitemapCounts struct {
	Files  int64 // sitemap files read, index files included
	Failed int64 // sitemap files not read, or read in part (a parse error; the entries before it are kept)
	Pages  int64 // pages listed, added as depth-0 pages (the seen set drops those seen already)
	Images int64 // images listed, added to be saved
	// OffScope counts the pages listed that are not followed: out of
	// scope, refused by Include or Exclude, or with an extension in the
	// skip list. Their images are dropped with them.
	OffScope int64
}

// sitemapRef is a sitemap file to read.
type sitemapRef struct {
	u        *url.URL
	level    int  // see SitemapMaxLevel
	fallback bool // /sitemap.xml, read because robots.txt names none: a 4xx is no error
}

// sitemapReader reads the sitemaps of the seeds' hosts, one file at a
// time, and sends what they list to the frontier as depth-0 items. It runs
// in one goroutine of its own and owns all its fields. Nothing of it is
// stored: a resumed crawl reads the sitemaps again, and the seen set drops
// what they list that an earlier run added.
type sitemapReader struct {
	c      *Crawler
	out    chan<- []state.Item
	queue  []sitemapRef
	seen   map[string]bool // sitemap files queued
	full   bool            // SitemapMaxFiles files queued: the rest are dropped
	batch  []state.Item
	counts SitemapCounts
}

// readSitemaps reads the sitemaps of every seed host and returns what they
// gave; it returns when all are read or ctx ends.
func (c *Crawler) readSitemaps(ctx context.Context, out chan<- []state.Item) SitemapCounts {
	r := &sitemapReader{c: c, out: out, seen: make(map[string]bool)}
	done := make(map[string]bool)
	for _, seed := range c.seeds {
		u, err := url.Parse(seed.URL)
		if err != nil || done[u.Scheme+"://"+u.Host] {
			continue
		}
		done[u.Scheme+"://"+u.Host] = true
		r.discover(ctx, &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"})
	}
	for len(r.queue) > 0 && ctx.Err() == nil {
		ref := r.queue[0]
		r.queue = r.queue[1:]
		r.read(ctx, ref)
	}
	r.flush(ctx)
	return r.counts
}

// discover queues the sitemaps robots.txt of origin names, or its
// /sitemap.xml when it names none.
func (r *sitemapReader) discover(ctx context.Context, origin *url.URL) {
	names, err := r.robotsSitemaps(ctx, origin)
	if err != nil {
		if ctx.Err() == nil {
			r.c.s.Logger.Warn("sitemaps not read: robots.txt unavailable", "host", origin.Host, "err", err)
			r.counts.Failed++
		}
		return
	}
	if len(names) == 0 {
		r.add(sitemapRef{u: origin.JoinPath("sitemap.xml"), fallback: true})
		return
	}
	for _, name := range names {
		u, err := urlnorm.Resolve(origin, name)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" {
			r.c.s.Logger.Warn("sitemap not read: bad URL in robots.txt", "host", origin.Host, "sitemap", name)
			r.counts.Failed++
			continue
		}
		r.add(sitemapRef{u: u})
	}
}

// robotsSitemaps returns the Sitemap lines of origin's robots.txt,
// waiting for a robots.txt that is unavailable for a while, as many times
// as Config.Retries allows. It is read even with IgnoreRobots (the rules
// are ignored, not the sitemaps), but then not waited for: a robots.txt
// that cannot be read names none.
func (r *sitemapReader) robotsSitemaps(ctx context.Context, origin *url.URL) ([]string, error) {
	for attempt := 1; ; attempt++ {
		names, err := r.c.robots.Sitemaps(ctx, origin)
		if err != nil && r.c.s.IgnoreRobots && ctx.Err() == nil {
			r.c.s.Logger.Debug("robots.txt unavailable: no Sitemap lines", "host", origin.Host, "err", err)
			return nil, nil
		}
		var ue *fetch.RobotsUnavailableError
		if err == nil || !errors.As(err, &ue) || attempt > r.c.s.Retries ||
			ue.Err != nil && !fetch.Retryable(ue.Err) {
			return names, err
		}
		if err := sleepUntil(ctx, ue.RetryAt); err != nil {
			return nil, err
		}
	}
}

// add queues a sitemap file, unless it is queued already or
// SitemapMaxFiles are.
func (r *sitemapReader) add(ref sitemapRef) {
	key := ref.u.String()
	if r.seen[key] {
		return
	}
	if len(r.seen) >= SitemapMaxFiles {
		if !r.full {
			r.c.s.Logger.Warn("sitemaps: more files than the limit, the rest not read",
				"limit", SitemapMaxFiles, "first-dropped", fetch.Redact(key))
		}
		r.full = true
		return
	}
	r.seen[key] = true
	r.queue = append(r.queue, ref)
}

// read reads one sitemap file: it queues the files of an index and sends
// the pages and images of a urlset.
func (r *sitemapReader) read(ctx context.Context, ref sitemapRef) {
	log, name := r.c.s.Logger, fetch.Redact(ref.u.String())
	sm, err := r.fetch(ctx, ref.u)
	if ctx.Err() != nil {
		return
	}
	var se *fetch.StatusError
	switch {
	case err != nil && ref.fallback && (errors.As(err, &se) && se.Code >= 400 && se.Code < 500 ||
		errors.Is(err, extract.ErrNotSitemap)):
		log.Debug("no sitemap", "url", name, "err", err) // the fallback is a guess: no error
		return
	case err != nil:
		r.counts.Failed++
		log.Warn("sitemap not read", "url", name, "err", err, "entries-kept", len(sm.Pages)+len(sm.Sitemaps))
	default:
		r.counts.Files++
	}
	if sm.Truncated {
		log.Warn("sitemap truncated: more entries than the limit", "url", name,
			"limit", extract.SitemapMaxEntries)
	}
	for i, child := range sm.Sitemaps {
		if ref.level+1 > SitemapMaxLevel {
			log.Warn("sitemap index nested too deep: its files not read", "url", name,
				"files", len(sm.Sitemaps)-i, "max-level", SitemapMaxLevel)
			break
		}
		r.add(sitemapRef{u: child, level: ref.level + 1})
	}
	r.entries(ctx, ref.u.String(), sm.Pages)
}

// entries sends the pages of a urlset within scope as depth-0 pages, and
// their images; from is the sitemap's URL.
func (r *sitemapReader) entries(ctx context.Context, from string, pages []extract.SitemapPage) {
	for _, p := range pages {
		page := from
		if p.URL != nil {
			s := p.URL.String()
			switch {
			case extract.LooksLikeImage(p.URL.Path):
				r.send(ctx, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindImage, Page: from})
				r.counts.Images++
			case !r.c.follow(p.URL, s) || r.c.skipLink(p.URL.Path):
				r.counts.OffScope++
				continue
			default:
				r.send(ctx, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindPage, Page: from})
				r.counts.Pages++
				page = s
			}
		}
		for _, im := range p.Images {
			s := im.String()
			r.send(ctx, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindImage, Page: page})
			r.counts.Images++
		}
	}
}

// sitemapBatch is how many items go to the frontier at once.
const sitemapBatch = 256

// send adds an item to the batch, sending it when full.
func (r *sitemapReader) send(ctx context.Context, it state.Item) {
	ok, err := r.c.admit(it, it.Page)
	if err != nil {
		// No worker holds a URL of its own here: the one the hook was
		// asked about fails.
		r.c.emit(event(it.Kind, it.URL, Failed, err))
		return
	}
	if !ok {
		return
	}
	r.batch = append(r.batch, it)
	if len(r.batch) >= sitemapBatch {
		r.flush(ctx)
	}
}

// flush sends the batch to the frontier, which may make it wait while it
// has enough work.
func (r *sitemapReader) flush(ctx context.Context) {
	if len(r.batch) == 0 {
		return
	}
	select {
	case r.out <- r.batch:
	case <-ctx.Done():
	}
	r.batch = nil
}

// sleepUntil waits until t or the end of ctx.
func sleepUntil(ctx context.Context, t time.Time) error {
	tm := time.NewTimer(time.Until(t))
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errSitemapRedirect wraps a redirect that cannot be followed.
func errSitemapRedirect(loc string, err error) error {
	return fmt.Errorf("bad redirect to %q: %w", loc, err)
}
