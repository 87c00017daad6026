package testsite

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// imageEpoch is the Last-Modified time of image 0; image i is i minutes
// younger.
var imageEpoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// notImageBody is what the site serves, as image/jpeg, at notImagePath.
const notImageBody = "<!DOCTYPE html>\n<html><head><title>Not an image</title></head>" +
	"<body><p>This is an HTML page served as image/jpeg.</p></body></html>\n"

// ServeHTTP serves the site: it calls the OnRequest function, counts the
// request, waits Latency (giving up without a response if the request's
// context ends first), then answers GET and HEAD with the page, image or
// robots.txt at the target, or 404. Images support Range and conditional
// requests and carry ETag and Last-Modified.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if fn := s.hook.Load(); fn != nil {
		(*fn)(r)
	}
	s.count(NormalizeTarget(r.URL.RequestURI()))
	if !sleepCtx(r, s.opt.Latency) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeBody(w, http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("405 method not allowed\n"))
		return
	}
	res := s.route(r)
	switch res.kind {
	case resPage:
		s.servePage(w, r, res.id)
	case resImage:
		data, sum := s.images.get(res.id)
		h := w.Header()
		h.Set("Content-Type", s.formatOf(res.id).contentType())
		h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
		h.Set("Cache-Control", "public, max-age=3600")
		modTime := imageEpoch.Add(time.Duration(res.id) * time.Minute)
		http.ServeContent(w, r, "", modTime, bytes.NewReader(data))
	case resNotImage:
		w.Header().Set("Content-Type", "image/jpeg")
		http.ServeContent(w, r, "", imageEpoch, bytes.NewReader([]byte(notImageBody)))
	case resRobots:
		writeBody(w, http.StatusOK, "text/plain; charset=utf-8", []byte(robotsTxt))
	default:
		writeBody(w, http.StatusNotFound, "text/plain; charset=utf-8", []byte("404 page not found\n"))
	}
}

func (s *Site) servePage(w http.ResponseWriter, r *http.Request, id int) {
	var buf bytes.Buffer
	host := ""
	if r.Host != "" {
		host = "http://" + r.Host
	}
	if id < s.n {
		s.renderNumbered(&buf, id, host)
		writeBody(w, http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
		return
	}
	e := &s.extras[id-s.n]
	s.renderExtra(&buf, e, host)
	if e.latin1 {
		writeBody(w, http.StatusOK, "text/html; charset=windows-1252", toWindows1252(buf.Bytes()))
		return
	}
	writeBody(w, http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// writeBody writes a complete response with Content-Type and Content-Length.
func writeBody(w http.ResponseWriter, code int, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// sleepCtx waits d, or until r's context ends; it reports whether the full
// wait elapsed.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
