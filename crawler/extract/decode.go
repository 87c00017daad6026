package extract

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"

	"github.com/imgcrawl/imgcrawl/internal/hexdigit"

	"golang.org/x/net/html/charset"
)

// queryEncoder encodes text in a page's legacy encoding; it is
// satisfied by *encoding.Encoder from golang.org/x/text.
type queryEncoder interface {
	String(s string) (string, error)
}

// previewSize is how much of a document decode peeks at for its encoding,
// as charset.NewReader does.
const previewSize = 1024

// peek is what decode reads a document through: the bytes it peeks at,
// then the rest of the document. Peeks are pooled: see getPeek.
type peek struct {
	buf  [previewSize]byte
	head bytes.Reader // over what buf holds
	rest io.Reader    // nil when buf holds the whole document
	pass utf8Pass     // over the document, when it is UTF-8 and longer than buf
}

var peeks = sync.Pool{New: func() any { return new(peek) }}

func getPeek() *peek { return peeks.Get().(*peek) }

// release returns p to the pool; the reader decode returned must no longer
// be used.
func (p *peek) release() {
	p.head.Reset(nil)
	p.rest = nil
	p.pass = utf8Pass{}
	peeks.Put(p)
}

// Read reads what p peeked at, then the rest, as io.MultiReader(&p.head,
// p.rest) does.
func (p *peek) Read(b []byte) (int, error) {
	if p.head.Len() > 0 || p.rest == nil {
		return p.head.Read(b)
	}
	return p.rest.Read(b)
}

// decode peeks at up to 1024 bytes of r to determine the document's
// encoding, as charset.NewReader does, and returns a reader yielding UTF-8.
// It also returns an encoder for query strings when the encoding is neither
// UTF-8 nor UTF-16 (browsers use UTF-8 for queries of UTF-16 pages), else
// nil, and the encoding's name. Unlike charset.NewReader, an empty body is
// not an error.
//
// The returned reader reads through p, which the caller must not release
// before it is done with the reader.
func decode(r io.Reader, contentType string, p *peek) (io.Reader, queryEncoder, string, error) {
	n, err := io.ReadFull(r, p.buf[:])
	preview := p.buf[:n]
	var body io.Reader = p
	p.head.Reset(preview)
	whole := false
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		p.rest, whole = nil, true
	case err != nil:
		return nil, nil, "", err
	default:
		p.rest = r
	}
	enc, name, _ := charset.DetermineEncoding(preview, contentType)
	switch {
	case !whole && name == "utf-8":
		// Most long pages are valid UTF-8: pass them through, sparing the
		// decoder and its buffers unless the page proves invalid.
		p.pass = utf8Pass{r: body, enc: enc}
		body = &p.pass
	case !whole || !decodesToItself(name, preview):
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

// utf8Pass reads a document declared or detected as UTF-8 as its decoder
// does: the decoder leaves valid UTF-8 as it is, so utf8Pass passes the
// document through while it is valid, and hands the rest, from the first
// rune that is not, to the decoder. Everything passed through is valid
// UTF-8 ending at a rune boundary, where the decoder carries no state, so
// the output is the decoder's.
type utf8Pass struct {
	r       io.Reader
	enc     encoding.Encoding
	dec     io.Reader // the decoder, once it has taken over
	held    []byte    // the start of a rune cut off by the last read of r, in heldBuf
	heldBuf [utf8.UTFMax]byte
}

func (u *utf8Pass) Read(b []byte) (int, error) {
	if u.dec != nil {
		return u.dec.Read(b)
	}
	if len(b) == 0 {
		return 0, nil
	}
	k := copy(b, u.held)
	if k < len(u.held) {
		// b cannot hold the start of the rune: let the decoder read on.
		u.toDecoder(bytes.Clone(u.held), nil)
		return u.dec.Read(b)
	}
	u.held = nil
	n, err := u.r.Read(b[k:])
	n += k
	i := validUTF8Prefix(b[:n])
	if i == n {
		return n, err
	}
	tail := b[i:n]
	if err == nil && i > 0 && !utf8.FullRune(tail) {
		// Maybe a valid rune, cut off: keep its start for the next read.
		u.held = append(u.heldBuf[:0], tail...)
		return i, nil
	}
	// Not valid UTF-8 (or too short to tell): the decoder takes over at
	// the start of tail.
	u.toDecoder(bytes.Clone(tail), err)
	if i > 0 {
		return i, nil
	}
	return u.dec.Read(b)
}

// toDecoder hands the document to the decoder: head, what was read of it
// but not returned, then the rest of r, or err if reading r ended with it.
func (u *utf8Pass) toDecoder(head []byte, err error) {
	rest := u.r
	if err != nil {
		rest = errReader{err}
	}
	u.dec = u.enc.NewDecoder().Reader(io.MultiReader(bytes.NewReader(head), rest))
	u.held = nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// validUTF8Prefix returns the length of the longest prefix of b that is
// valid UTF-8 made of whole runes.
func validUTF8Prefix(b []byte) int {
	i := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
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
