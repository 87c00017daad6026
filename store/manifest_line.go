package store

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// lineOverhead is room for a line's keys, punctuation, integers and time,
// beyond its strings' bytes, so that Line allocates once for most entries.
const lineOverhead = 256

// appendLine appends e encoded as encoding/json's Marshal encodes it, with
// its default options (HTML escaping on), and returns the extended slice.
// Marshal's reflection showed in profiles of large crawls; this is the same
// encoding, written out for Entry's fields. The field order, the omitempty
// and omitzero rules and the string escaping follow the struct tags and
// encoding/json (Go 1.26); FuzzEntryLine compares the two.
//
// It panics where Marshal would return an error: only time.Time's
// MarshalJSON can fail, on a year outside [0,9999] or a zone offset of 24
// hours or more. The panic message is the one Line had when it called
// json.Marshal.
func (e *Entry) appendLine(b []byte) []byte {
	b = append(b, `{"url":`...)
	b = appendJSONString(b, e.URL)
	b = append(b, `,"page":`...)
	b = appendJSONString(b, e.Page)
	b = append(b, `,"depth":`...)
	b = strconv.AppendInt(b, int64(e.Depth), 10)
	// Result's fields, promoted in its order; Reason is json:"-".
	if e.Path != "" {
		b = append(b, `,"path":`...)
		b = appendJSONString(b, e.Path)
	}
	if e.SHA256 != "" {
		b = append(b, `,"sha256":`...)
		b = appendJSONString(b, e.SHA256)
	}
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.Bytes, 10)
	if e.ContentType != "" {
		b = append(b, `,"content_type":`...)
		b = appendJSONString(b, e.ContentType)
	}
	if e.Width != 0 {
		b = append(b, `,"width":`...)
		b = strconv.AppendInt(b, int64(e.Width), 10)
	}
	if e.Height != 0 {
		b = append(b, `,"height":`...)
		b = strconv.AppendInt(b, int64(e.Height), 10)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(e.Status))
	if e.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, e.Error)
	}
	// omitzero on a type with an IsZero method uses that method: a zero
	// instant in any location is left out.
	if !e.FetchedAt.IsZero() {
		b = append(b, `,"fetched_at":`...)
		b = appendJSONTime(b, e.FetchedAt)
	}
	if e.ETag != "" {
		b = append(b, `,"etag":`...)
		b = appendJSONString(b, e.ETag)
	}
	if e.LastModified != "" {
		b = append(b, `,"last_modified":`...)
		b = appendJSONString(b, e.LastModified)
	}
	return append(b, '}')
}

// appendJSONTime appends t as time.Time's MarshalJSON does: a quoted
// RFC 3339 time with nanoseconds (the RFC3339Nano layout, which
// MarshalJSON also uses). Where MarshalJSON fails it panics with the
// message Line had when it called json.Marshal.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	// MarshalJSON's checks, on the formatted bytes as it makes them: a year
	// of exactly four digits, and a zone hour below 24.
	ok := b[n0+4] == '-'
	if ok && b[len(b)-1] != 'Z' {
		c := b[len(b)-len("Z07:00")]
		h := 10*(b[len(b)-5]-'0') + b[len(b)-4] - '0'
		ok = (c == '+' || c == '-') && h < 24
	}
	if !ok {
		_, err := t.MarshalJSON()
		msg := "the time cannot be encoded"
		if err != nil {
			msg = err.Error()
		}
		panic("store: manifest entry: json: error calling MarshalJSON for type time.Time: " + msg)
	}
	return append(b, '"')
}

// hexDigits are the lower-case hex digits encoding/json writes in \u escapes.
const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for an ASCII byte that encoding/json, escaping HTML,
// writes as is: the printable ones and DEL, except '"', '\\', '<', '>' and '&'.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s quoted as encoding/json does by default:
// '"' and '\\' backslash-escaped; \b, \f, \n, \r and \t as such; other
// control bytes and '<', '>', '&' as \u00XX; U+2028 and U+2029 as \u2028
// and \u2029; each byte of invalid UTF-8 as \ufffd; everything else as is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
