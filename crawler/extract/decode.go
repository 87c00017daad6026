package extract

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/imgcrawl/imgcrawl/internal/hexdigit"

	"golang.org/x/net/html/charset"
)

// queryEncoder encodes text in a page's legacy encoding; it is
// satisfied by *encoding.Encoder from golang.org/x/text.
type queryEncoder interface {
	String(s string) (string, error)
}

// decode peeks at up to 1024 bytes of r to determine the document's
// encoding, as charset.NewReader does, and returns a reader yielding UTF-8.
// It also returns an encoder for query strings when the encoding is neither
// UTF-8 nor UTF-16 (browsers use UTF-8 for queries of UTF-16 pages), else
// nil, and the encoding's name. Unlike charset.NewReader, an empty body is
// not an error.
func decode(r io.Reader, contentType string) (io.Reader, queryEncoder, string, error) {
	preview := make([]byte, 1024)
	n, err := io.ReadFull(r, preview)
	preview = preview[:n]
	var body io.Reader
	whole := false
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		body, whole = bytes.NewReader(preview), true
	case err != nil:
		return nil, nil, "", err
	default:
		body = io.MultiReader(bytes.NewReader(preview), r)
	}
	enc, name, _ := charset.DetermineEncoding(preview, contentType)
	if !whole || !decodesToItself(name, preview) {
		body = enc.NewDecoder().Reader(body)
	}
	switch name {
	case "utf-8", "utf-16be", "utf-16le", "replacement", "":
		return body, nil, name, nil
	}
	// Lookup wraps the encoding so that characters it cannot represent
	// become HTML numeric references, which is what browsers send.
	henc, _ := charset.Lookup(name)
	if henc == nil {
		return body, nil, name, nil
	}
	return body, henc.NewEncoder(), name, nil
}

// decodesToItself reports whether decoding all of body from the
// named encoding, as determined by charset.DetermineEncoding, changes
// nothing, so that the decoder (and its 8 KiB of buffers) can be skipped:
// valid UTF-8 from UTF-8 (whose decoder only replaces invalid sequences and
// keeps a byte order mark) and ASCII from windows-1252 (an ASCII superset).
func decodesToItself(name string, body []byte) bool {
	switch name {
	case "utf-8":
		return utf8.Valid(body)
	case "windows-1252":
		for _, c := range body {
			if c >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}
	return false
}

// legacyQuery percent-encodes the non-ASCII characters of ref's query
// in the page's encoding. A character the encoding lacks is sent as its HTML
// numeric reference ("&#1234;"), percent-encoded as a whole.
func legacyQuery(ref string, enc queryEncoder) string {
	q := strings.IndexAny(ref, "?#")
	if q < 0 || ref[q] != '?' {
		return ref
	}
	end := len(ref)
	if i := strings.IndexByte(ref[q:], '#'); i >= 0 {
		end = q + i
	}
	query := ref[q+1 : end]
	ascii := true
	for i := 0; i < len(query); i++ {
		if query[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return ref
	}
	var b strings.Builder
	b.Grow(len(ref) + 2*len(query))
	b.WriteString(ref[:q+1])
	for _, r := range query {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		e, err := enc.String(string(r))
		if err != nil || e == "" {
			e = string(r) // cannot happen with charset.Lookup's encoders
		}
		for i := 0; i < len(e); i++ {
			b.WriteByte('%')
			b.WriteByte(hexdigit.Upper[e[i]>>4])
			b.WriteByte(hexdigit.Upper[e[i]&15])
		}
	}
	b.WriteString(ref[end:])
	return b.String()
}
