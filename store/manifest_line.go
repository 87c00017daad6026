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
	b = appendOptString(b, `,"path":`, e.Path)
	b = appendOptString(b, `,"sha256":`, e.SHA256)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = appendOptString(b, `,"content_type":`, e.ContentType)
	b = appendOptInt(b, `,"width":`, e.Width)
	b = appendOptInt(b, `,"height":`, e.Height)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(e.Status))
	b = appendOptString(b, `,"error":`, e.Error)
	// omitzero on a type with an IsZero method uses that method: a zero
	// instant in any location is left out.
	if !e.FetchedAt.IsZero() {
		b = append(b, `,"fetched_at":`...)
		b = appendJSONTime(b, e.FetchedAt)
	}
	b = appendOptString(b, `,"etag":`, e.ETag)
	b = appendOptString(b, `,"last_modified":`, e.LastModified)
	return append(b, '}')
}

// appendOptString appends key and the JSON string v, unless v is empty
// (omitempty).
func appendOptString(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(append(b, key...), v)
}

// appendOptInt appends key and v, unless v is 0 (omitempty).
func appendOptInt(b []byte, key string, v int) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), int64(v), 10)
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
