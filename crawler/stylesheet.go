package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// stylesheet reads a style sheet for the images it names and the style
// sheets it imports, both at its own depth: a style sheet is part of the
// page that uses it, not a link one hop further. Its references resolve
// against j.u, the URL that answered (a redirect's target is an item of its
// own).
func (c *Crawler) stylesheet(ctx context.Context, j job, resp *http.Response) result {
	it := j.item
	ct := resp.Header.Get("Content-Type")
	if why := notStylesheet(ct); why != "" {
		return c.finish(it, Skipped, errors.New(why)) // the body is closed unread
	}
	body, err := io.ReadAll(resp.Body) // capped at MaxStylesheetSize by the client
	if err != nil {
		return c.retry(ctx, it, nil, err)
	}
	sh := extract.CSS(body, ct, c.sheetEnc.get(it.Key), j.u)
	add := make([]state.Item, 0, len(sh.Imports)+len(sh.Images))
	add = c.sheets(add, it, sh.Imports, sh.Encoding)
	for _, im := range sh.Images {
		s := im.String()
		add = append(add, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindImage, Depth: it.Depth, Page: it.URL})
	}
	r := c.finish(it, Parsed, nil)
	r.add = add
	return r
}

// sheets appends to add the style sheets that it (a page or a style sheet)
// uses, at its depth, and remembers enc, its encoding, as theirs to fall
// back on.
func (c *Crawler) sheets(add []state.Item, it state.Item, sheets []*url.URL, enc string) []state.Item {
	for _, u := range sheets {
		s := u.String()
		k := state.KeyOf(s)
		c.sheetEnc.put(k, enc)
		add = append(add, state.Item{Key: k, URL: s, Kind: state.KindStylesheet, Depth: it.Depth, Page: it.URL})
	}
	return add
}

// notStylesheet says why a response typed ct is not read as a style sheet:
// HTML (an error or login page), an image, audio, video or a font; "" when
// it is read. Browsers in quirks mode read a style sheet of any type, and
// many servers type CSS text/plain or application/octet-stream, so only
// types that cannot be CSS are refused.
func notStylesheet(ct string) string {
	mt := mediaType(ct)
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
	case strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "audio/") ||
		strings.HasPrefix(mt, "video/") || strings.HasPrefix(mt, "font/"):
	default:
		return ""
	}
	return fmt.Sprintf("not a style sheet: %s", mt)
}

// sheetEncodings remembers, for the style sheets found in this run, the
// encoding of the page (or style sheet) that uses them, which a style sheet
// without a byte order mark, a charset in its Content-Type or an @charset
// rule is read in. Only encodings other than UTF-8 (the fallback of the
// fallback) are kept, at most maxSheetEncodings of them; a style sheet left
// pending by an earlier run falls back to UTF-8. Safe for concurrent use;
// the zero value is empty.
type sheetEncodings struct {
	mu sync.Mutex
	m  map[state.Key]string
}

const maxSheetEncodings = 1 << 14

func (e *sheetEncodings) put(k state.Key, enc string) {
	if enc == "" || enc == "utf-8" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = make(map[state.Key]string)
	}
	if _, ok := e.m[k]; !ok && len(e.m) < maxSheetEncodings {
		e.m[k] = enc // the first page to name a style sheet decides, as the seen set does
	}
}

func (e *sheetEncodings) get(k state.Key) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m[k]
}
