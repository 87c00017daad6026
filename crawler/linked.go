package crawler

import (
	"bufio"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/imgcrawl/imgcrawl/store/imagetype"
)

// linkedKind is what a followed link turned out to be.
type linkedKind int

const (
	linkedOther linkedKind = iota // neither: given up after the headers
	linkedPage                    // HTML, to parse
	linkedImage                   // an image, to save
)

// linkedSniffLen is how much of a body without a useful type is read to
// decide what it is.
const linkedSniffLen = 512

// classifyLinked decides from its headers what resp, the answer to a page
// item, is. Only a response without a Content-Type, or typed
// application/octet-stream, is read from, at most linkedSniffLen bytes,
// which then stay readable from resp.Body: an image by its first bytes is an
// image whatever the server calls it, and HTML by its first bytes is a page
// when the server says nothing. For linkedOther, why says what it is.
func classifyLinked(resp *http.Response) (kind linkedKind, why string) {
	mt := mediaType(resp.Header.Get("Content-Type"))
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return linkedPage, ""
	case strings.HasPrefix(mt, "image/"):
		return linkedImage, "" // the writer sniffs it, and skips it if it is not one
	case mt != "" && mt != "application/octet-stream" && mt != "binary/octet-stream":
		return linkedOther, "not html or an image: " + mt
	}
	br := bufio.NewReaderSize(resp.Body, linkedSniffLen)
	head, _ := br.Peek(linkedSniffLen) // a read error shows again on the next read
	resp.Body = struct {
		io.Reader
		io.Closer
	}{br, resp.Body}
	if _, ok := imagetype.Sniff(head); ok {
		return linkedImage, ""
	}
	if mt == "" {
		sniffed := mediaType(http.DetectContentType(head))
		if sniffed == "text/html" {
			return linkedPage, ""
		}
		return linkedOther, "not html or an image: no content type, looks like " + sniffed
	}
	return linkedOther, "not html or an image: " + mt
}

// mediaType returns the lower-case media type of a Content-Type value, ""
// when there is none.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt
}
