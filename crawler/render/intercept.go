package render

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrRefused is wrapped by a Loader's error when the crawler's rules forbid
// a request (robots.txt, the address policy): the browser is told the
// request was blocked rather than that it failed.
var ErrRefused = errors.New("refused by the crawler's rules")

// placeholder is a transparent 1x1 GIF, the answer to every image request.
var placeholder = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// passHeaders are the request headers of the browser passed to a Loader.
var passHeaders = []string{"Accept", "Referer", "X-Requested-With"}

// dropHeaders are the response headers never given back to the browser:
// the body is decoded and whole, and cookies live in the crawler's jar.
var dropHeaders = map[string]bool{
	"Content-Encoding": true, "Content-Length": true, "Transfer-Encoding": true,
	"Connection": true, "Keep-Alive": true, "Set-Cookie": true, "Set-Cookie2": true,
}

// answerTimeout bounds sending an answer to the browser.
const answerTimeout = 10 * time.Second

// answer decides what becomes of a paused request of the page ps (nil
// between pages) and tells the browser.
func (t *tab) answer(ps *pageState, ev *fetch.EventRequestPaused) {
	if ps == nil {
		t.fail(ev.RequestID, network.ErrorReasonBlockedByClient)
		return
	}
	ps.begin()
	defer ps.end()
	req := ev.Request
	u, err := url.Parse(req.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https"):
		ps.count(false)
		t.fail(ev.RequestID, network.ErrorReasonBlockedByClient)
		return
	case ev.ResourceType == network.ResourceTypeDocument && ps.claimMain():
		ps.count(true)
		ct := ps.page.ContentType
		if ct == "" {
			ct = "text/html"
		}
		t.fulfill(ev.RequestID, http.StatusOK, http.Header{"Content-Type": {ct}}, ps.page.Body)
		return
	case req.Method != http.MethodGet:
		ps.count(false)
		t.fail(ev.RequestID, network.ErrorReasonBlockedByClient)
		return
	case ev.ResourceType == network.ResourceTypeImage:
		ps.addImage(req.URL)
		t.fulfill(ev.RequestID, http.StatusOK, http.Header{
			"Content-Type": {"image/gif"}, "Access-Control-Allow-Origin": {"*"}, "Cache-Control": {"no-store"},
		}, placeholder)
		return
	}
	kind, ok := kindOf(ev.ResourceType)
	if !ok || isTracker(strings.ToLower(u.Hostname())) || (kind == KindOther && u.Path == "/favicon.ico") {
		ps.count(false)
		t.fail(ev.RequestID, network.ErrorReasonBlockedByClient)
		return
	}
	r := Request{URL: req.URL, Kind: kind, Page: ps.page.URL, Header: http.Header{}}
	for _, h := range passHeaders {
		if v, ok := req.Headers[h].(string); ok && v != "" {
			r.Header.Set(h, v)
		}
	}
	resp, err := t.cfg.Load(ps.ctx, r)
	if err != nil {
		ps.count(false)
		reason := network.ErrorReasonFailed
		if errors.Is(err, ErrRefused) {
			reason = network.ErrorReasonBlockedByClient
		}
		t.cfg.Logger.Debug("render: request not loaded", "url", req.URL, "page", ps.page.URL, "err", err)
		t.fail(ev.RequestID, reason)
		return
	}
	ps.count(true)
	t.fulfill(ev.RequestID, resp.Status, resp.Header, resp.Body)
}

// kindOf says what a Loader is asked to load for a resource type; ok is
// false for what is refused: fonts, media, web sockets, pings, reports,
// prefetches and the like. (The browser's own favicon request, of type
// other, is refused by answer.)
func kindOf(rt network.ResourceType) (k Kind, ok bool) {
	switch rt {
	case network.ResourceTypeDocument:
		return KindDocument, true
	case network.ResourceTypeScript:
		return KindScript, true
	case network.ResourceTypeStylesheet:
		return KindStylesheet, true
	case network.ResourceTypeXHR, network.ResourceTypeFetch:
		return KindXHR, true
	case network.ResourceTypeOther:
		return KindOther, true
	}
	return "", false
}

// fulfill answers a request with a response.
func (t *tab) fulfill(id fetch.RequestID, status int, h http.Header, body []byte) {
	hdr := make([]*fetch.HeaderEntry, 0, len(h))
	for name, vs := range h {
		if dropHeaders[http.CanonicalHeaderKey(name)] {
			continue
		}
		for _, v := range vs {
			hdr = append(hdr, &fetch.HeaderEntry{Name: name, Value: v})
		}
	}
	ctx, cancel := context.WithTimeout(t.ctx, answerTimeout)
	defer cancel()
	params := fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(status), ResponseHeaders: hdr, Body: body}
	if _, err := chromedp.Call(ctx, fetch.FulfillRequest, params); err != nil {
		t.cfg.Logger.Debug("render: fulfill", "err", err)
	}
}

// fail answers a request with a network error.
func (t *tab) fail(id fetch.RequestID, reason network.ErrorReason) {
	ctx, cancel := context.WithTimeout(t.ctx, answerTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: reason}); err != nil {
		t.cfg.Logger.Debug("render: fail request", "err", err)
	}
}
