package index

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// Image is one row of table images: what became of one image URL in one
// crawl. The fields named as the manifest's are the manifest's (see
// store.Entry).
type Image struct {
	CrawlID string // the crawl's id (crawler.Settings.CrawlID)
	URLKey  string // state.KeyOf(URL), in hex: the row's key within the crawl
	URL     string
	Page    string
	Depth   int
	Host    string // URL's host, lower case, with any port
	Path    string // the file, slash-separated, relative to OutDir
	OutDir  string // the crawl's output folder, absolute when known
	SHA256  string
	Bytes   int64
	// ContentType is the sniffed type (the manifest's content_type).
	ContentType   string
	Width, Height int
	Status        state.Status
	Error         string
	FetchedAt     time.Time // zero: unknown (stored as NULL)
	ETag          string
	LastModified  string
}

// ImageOf returns the row of a manifest entry of crawl crawlID, whose
// files are under out.
func ImageOf(crawlID, out string, e store.Entry) Image {
	im := Image{CrawlID: crawlID, URLKey: state.KeyOf(e.URL).String(), URL: e.URL, Page: e.Page,
		Depth: e.Depth, Path: e.Path, OutDir: out, SHA256: e.SHA256, Bytes: e.Bytes,
		ContentType: e.ContentType, Width: e.Width, Height: e.Height, Status: e.Status,
		Error: e.Error, FetchedAt: e.FetchedAt, ETag: e.ETag, LastModified: e.LastModified}
	if u, err := url.Parse(e.URL); err == nil {
		im.Host = u.Host
	}
	return im
}

func (im *Image) args() []any {
	return []any{clean(im.CrawlID), clean(im.URLKey), clean(im.URL), clean(im.Page), im.Depth,
		clean(im.Host), clean(im.Path), clean(im.OutDir), clean(im.SHA256), im.Bytes,
		clean(im.ContentType), im.Width, im.Height, clean(string(im.Status)), clean(im.Error),
		nullTime(im.FetchedAt), clean(im.ETag), clean(im.LastModified)}
}

// Page is one row of table pages.
type Page struct {
	CrawlID   string
	URLKey    string // state.KeyOf(URL), in hex
	URL       string
	Depth     int
	Status    state.Status
	FetchedAt time.Time
}

func (p *Page) args() []any {
	return []any{clean(p.CrawlID), clean(p.URLKey), clean(p.URL), p.Depth, clean(string(p.Status)), nullTime(p.FetchedAt)}
}

// clean makes s storable in every dialect: valid UTF-8 (MySQL and
// PostgreSQL refuse other bytes in a text column) and no NUL (PostgreSQL
// refuses it). A row the database refuses would stall the writer.
func clean(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// nullTime stores the zero time as NULL, and any other in UTC.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
