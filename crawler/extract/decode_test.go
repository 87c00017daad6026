package extract

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html/charset"
)

// decodeCases are bodies and content types for which decode
// must yield what the encoding's decoder yields.
var decodeCases = []struct {
	name, contentType string
	body              []byte
}{
	{"empty", "text/html", nil},
	{"long UTF-8", "text/html; charset=utf-8", []byte(strings.Repeat("<p>é€𝄞 ü</p>", 200))},
	{"long UTF-8, invalid late", "text/html; charset=utf-8", []byte(strings.Repeat("<p>é€𝄞</p>", 200) + "\xe2\x82 \xff\xf0\x9d\x84€ \xed\xa0\x80 end")},
	{"long UTF-8, 4-byte runes", "text/html; charset=utf-8", []byte(strings.Repeat("a𝄞", 400))},
	{"long UTF-8, cut at the end", "text/html; charset=utf-8", []byte(strings.Repeat("<p>€</p>", 300) + "\xf0\x9d\x84")},
	{"ASCII undeclared", "text/html", []byte("<a href=/x>\x00\x01\x7f</a>")},
	{"ASCII declared utf-8", "text/html; charset=utf-8", []byte("<p>plain</p>")},
	{"valid UTF-8 declared", "text/html; charset=utf-8", []byte("<p>café ☃</p>")},
	{"valid UTF-8 sniffed", "text/html", []byte("<p>café ☃</p>")},
	{"valid UTF-8 meta", "", []byte(`<meta charset="utf-8"><p>café</p>`)},
	{"UTF-8 with BOM", "", []byte("\xef\xbb\xbf<p>café</p>")},
	{"invalid UTF-8 declared", "text/html; charset=utf-8", []byte("<a href=\"/\xff\xfe\">x</a>")},
	{"invalid UTF-8 meta", "", []byte("<meta charset=utf-8><a href=\"/\xc3\">x</a>")},
	{"truncated rune at end", "text/html; charset=utf-8", []byte("<p>caf\xc3")},
	{"surrogate bytes", "text/html; charset=utf-8", []byte("\xed\xa0\x80")},
	{"windows-1252 high bytes", "text/html", []byte("<p>caf\xe9 \x80</p>")},
	{"windows-1252 declared ASCII", "text/html; charset=windows-1252", []byte("<p>x</p>")},
	{"latin1 label", "text/html; charset=iso-8859-1", []byte("<p>caf\xe9</p>")},
	{"windows-1251", "text/html; charset=windows-1251", []byte("<p>\xcf\xf0\xe8</p>")},
	{"replacement encoding", "text/html; charset=iso-2022-kr", []byte("<p>x</p>")},
	{"UTF-16LE BOM", "", []byte("\xff\xfe<\x00p\x00>\x00")},
	{"ISO-2022-JP ASCII escapes", "text/html; charset=iso-2022-jp", []byte("\x1b$B$3\x1b(B<p>x</p>")},
	{"long valid UTF-8", "text/html; charset=utf-8", []byte(strings.Repeat("é", 1000))},
	{"long with invalid tail", "text/html; charset=utf-8", []byte(strings.Repeat("a", 1030) + "\xff")},
	{"exactly 1024 bytes invalid", "text/html; charset=utf-8", []byte(strings.Repeat("a", 1023) + "\xff")},
}

// decodeSlow decodes body as decode did before it learned to
// skip decoders that change nothing.
func decodeSlow(t testing.TB, body []byte, contentType string) []byte {
	t.Helper()
	preview := body[:min(len(body), 1024)]
	enc, _, _ := charset.DetermineEncoding(preview, contentType)
	out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(body)))
	if err != nil {
		t.Fatalf("decoder: %v", err)
	}
	return out
}

func checkDecode(t testing.TB, body []byte, contentType string) {
	t.Helper()
	checkDecodeReads(t, body, contentType, len(body)+1, 0)
	// Past the first 1024 bytes, decode streams the rest of the document:
	// runes are cut between reads of the body and of the decoded text.
	long := append(bytes.Repeat([]byte(" "), 1021), body...)
	for _, sizes := range [][2]int{{len(long) + 1, 0}, {len(long) + 1, 4}, {5, 3}} {
		checkDecodeReads(t, long, contentType, sizes[0], sizes[1])
	}
}

// checkDecodeReads checks decode of body read in pieces of up to in bytes,
// its output read in pieces of up to out bytes (0: all at once; see pieces).
func checkDecodeReads(t testing.TB, body []byte, contentType string, in, out int) {
	t.Helper()
	r, _, _, err := decode(&pieces{r: bytes.NewReader(body), n: in}, contentType, new(peek))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if out > 0 {
		r = &pieces{r: r, n: out}
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read decoded body: %v", err)
	}
	if want := decodeSlow(t, body, contentType); !bytes.Equal(got, want) {
		t.Fatalf("body %q, content type %q, reads of %d and %d bytes: decoded to %q, want %q", body, contentType, in, out, got, want)
	}
}

// pieces reads from r at most 1, 2, ... n, 1, 2, ... bytes at a time.
type pieces struct {
	r    io.Reader
	n, i int
}

func (p *pieces) Read(b []byte) (int, error) {
	p.i = p.i%p.n + 1
	return p.r.Read(b[:min(len(b), p.i)])
}

func TestExtractDecodeSkipsOnlyIdentityDecoders(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			checkDecode(t, tt.body, tt.contentType)
		})
	}
}
