package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// marshalRef is the encoding Entry.Line must reproduce byte for byte:
// encoding/json's, which Line used until it was written by hand. It stays
// here, in the tests only, as the reference.
func marshalRef(e *Entry) ([]byte, error) { return json.Marshal(e) }

// checkLine compares e.Line with the reference: equal bytes, or, where
// json.Marshal fails, a panic.
func checkLine(t *testing.T, e *Entry) {
	t.Helper()
	want, werr := marshalRef(e)
	var got []byte
	var perr any
	func() {
		defer func() { perr = recover() }()
		got = e.Line()
	}()
	switch {
	case werr != nil && perr == nil:
		t.Fatalf("Line() = %s, want a panic (json.Marshal: %v)", got, werr)
	case werr == nil && perr != nil:
		t.Fatalf("Line() panicked: %v\nwant %s", perr, want)
	case werr != nil:
		if msg := "store: manifest entry: " + werr.Error(); perr != msg {
			t.Fatalf("Line() panicked with %q, want %q", perr, msg)
		}
	case !bytes.Equal(got, want):
		t.Fatalf("Line() =\n%s\nwant\n%s", got, want)
	}
}

// tricky are strings that exercise every branch of encoding/json's string
// escaping.
var tricky = []string{
	"",
	"plain",
	`<script>alert("x&y")</script>`,
	`back\slash "quoted"`,
	"\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f",
	"line\u2028para\u2029end",
	"\xff\xfe bad \xc3 utf8 \xe2\x80",
	"\xe2\x80\xa8\xe2\x80", // U+2028 then a torn one
	"\ufffd real replacement",
	"héllo wörld ж 😀",
	"\xed\xa0\x80 surrogate",
	"\xf4\x90\x80\x80 beyond U+10FFFF",
	"https://example.com/a b/c?d=1&e=<2>#f",
	strings.Repeat("x", 300) + "&",
}

func TestEntryLine(t *testing.T) {
	fetched := time.Date(2026, 12, 3, 12, 0, 0, 123456000, time.UTC)
	entries := []Entry{
		{},
		{URL: "https://example.com/a.png", Page: "https://example.com/", Depth: 1,
			Result: Result{Path: "example.com/a.png", SHA256: strings.Repeat("ab", 32), Bytes: 1234,
				ContentType: "image/png", Width: 64, Height: 48, Status: state.Saved, Reason: "ignored"},
			FetchedAt: fetched, ETag: `W/"abc"`, LastModified: "Thu, 03 Dec 2026 12:00:00 GMT"},
		{URL: "u", Depth: -3, Result: Result{Bytes: -1, Width: -1, Height: 1 << 40, Status: state.Failed},
			Error: "fetch: 404 <Not Found>"},
		{FetchedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))}, // IsZero, in another zone
		{FetchedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		{FetchedAt: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{FetchedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60)))},
		{FetchedAt: time.Date(2000, 2, 29, 1, 2, 3, 4, time.FixedZone("", 5*3600+30*60+17))},
		{FetchedAt: time.Unix(1<<40, 0)},
		// json.Marshal fails on these, so Line panics.
		{FetchedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{FetchedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))},
		{FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -100*3600))},
	}
	for _, s := range tricky {
		entries = append(entries, Entry{URL: s, Page: s, Result: Result{Path: s, SHA256: s,
			ContentType: s, Status: state.Status(s)}, Error: s, ETag: s, LastModified: s})
	}
	for _, e := range entries {
		checkLine(t, &e)
	}
}

// TestEntryLineAllFields sets every field of Entry, Result's included, so
// that a field added to either without a line in appendLine fails here
// rather than going missing from manifests.
func TestEntryLineAllFields(t *testing.T) {
	var e Entry
	v := reflect.ValueOf(&e).Elem()
	for _, f := range reflect.VisibleFields(v.Type()) {
		if f.Anonymous {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		switch {
		case f.Type == reflect.TypeFor[time.Time]():
			fv.Set(reflect.ValueOf(time.Date(2026, 12, 3, 12, 0, 0, 1, time.UTC)))
		case fv.Kind() == reflect.String:
			fv.SetString(f.Name + "<&>")
		case fv.CanInt():
			fv.SetInt(int64(f.Index[len(f.Index)-1] + 1))
		default:
			t.Fatalf("Entry field %s has type %s: teach appendLine and this test about it", f.Name, f.Type)
		}
	}
	checkLine(t, &e)
}

// TestEntryLineOwned checks that each Line call returns a fresh slice:
// callers keep it (crawl state records, events).
func TestEntryLineOwned(t *testing.T) {
	e := Entry{URL: "https://example.com/a.png", Result: Result{Status: state.Saved}}
	a := e.Line()
	b := e.Line()
	a[1] = 'X'
	if b[1] != '"' {
		t.Fatal("two Line calls share their bytes")
	}
}

func FuzzEntryLine(f *testing.F) {
	for i, s := range tricky {
		o := tricky[(i+1)%len(tricky)]
		f.Add(s, o, s, o, s, o, s, o, s, i-1, int64(i)<<33, i*7, -i,
			int64(1764763200+i*86400), int64(i)*123456789, int32(i*1800-5*3600), i%3 == 0)
	}
	f.Add("", "", "", "", "", "", "", "", "", 0, int64(0), 0, 0, int64(0), int64(0), int32(0), true)
	f.Add("u", "p", "", "", "", "saved", "", "", "", 0, int64(0), 0, 0, int64(-62135596800), int64(0), int32(0), false)
	f.Add("u", "p", "", "", "", "saved", "", "", "", 0, int64(0), 0, 0, int64(253402300800), int64(0), int32(0), false)
	f.Add("u", "p", "", "", "", "saved", "", "", "", 0, int64(0), 0, 0, int64(0), int64(0), int32(86400), false)
	f.Fuzz(func(t *testing.T, url, page, path, sum, ctype, status, errs, etag, lastMod string,
		depth int, size int64, width, height int, secs, nanos int64, offset int32, utc bool) {
		at := time.Unix(secs, nanos)
		if utc {
			at = at.UTC()
		} else {
			at = at.In(time.FixedZone("Z", int(offset)))
		}
		e := Entry{URL: url, Page: page, Depth: depth,
			Result: Result{Path: path, SHA256: sum, Bytes: size, ContentType: ctype,
				Width: width, Height: height, Status: state.Status(status), Reason: errs},
			Error: errs, FetchedAt: at, ETag: etag, LastModified: lastMod}
		checkLine(t, &e)
		e.FetchedAt = time.Time{}
		checkLine(t, &e)
	})
}

func benchEntry() Entry {
	return Entry{URL: "https://images.example.com/photos/2026/12/IMG_0042.jpg?w=640&h=480",
		Page: "https://www.example.com/gallery/winter?page=3", Depth: 2,
		Result: Result{Path: "images.example.com/photos/2026/12/IMG_0042.jpg", SHA256: strings.Repeat("3f", 32),
			Bytes: 48213, ContentType: "image/jpeg", Width: 640, Height: 480, Status: state.Saved},
		FetchedAt: time.Date(2026, 12, 3, 12, 36, 11, 123456000, time.UTC),
		ETag:      `"5f3a-1b2c"`, LastModified: "Wed, 02 Dec 2026 09:14:00 GMT"}
}

func BenchmarkEntryLine(b *testing.B) {
	e := benchEntry()
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Line()
	}
}
