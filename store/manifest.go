package store

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Entry is one manifest line: what became of one image URL.
type Entry struct {
	URL   string `json:"url"`
	Page  string `json:"page"`
	Depth int    `json:"depth"`
	// Result is what the writer did: path, sha256, bytes, content_type,
	// width, height and status (saved, duplicate, skipped; failed when the
	// image never reached the writer).
	Result
	Error string `json:"error,omitempty"`
	// FetchedAt is when the outcome was recorded (UTC); ETag and
	// LastModified are the response's validators, for a conditional
	// request later (--revalidate).
	FetchedAt    time.Time `json:"fetched_at,omitzero"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
}

// Manifest appends JSON lines to a file. Lines are buffered and written
// whole, so a crash loses at most the lines not yet flushed and never
// corrupts earlier ones. Not safe for concurrent use: one owner (the
// collector) writes it.
type Manifest struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

// OpenManifest opens path for appending, creating it and its folder. When an
// earlier run was cut off mid-line, a newline is written first so the torn
// line stays on its own.
func OpenManifest(path string) (*Manifest, error) { return openManifest(path, 0) }

func openManifest(path string, flag int) (*Manifest, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|flag, 0o644)
	if err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	m := &Manifest{f: f, w: bufio.NewWriterSize(f, 64<<10), path: path}
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			m.w.WriteByte('\n')
		}
	}
	return m, nil
}

// CreateManifest starts a new, empty manifest at path, for a crawl that
// starts afresh. An existing manifest is kept as path+".prev", replacing
// an older one there.
func CreateManifest(path string) (*Manifest, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		if err := os.Rename(path, path+".prev"); err != nil {
			return nil, &WriteError{Path: path, Err: err}
		}
	}
	return openManifest(path, os.O_TRUNC)
}

// RebuildManifest writes the manifest at path anew from lines, which calls
// yield with each line in order (Entry.Line encodings, such as the records a
// crawl state kept), then opens it for appending. The new file replaces the
// old one only once it is complete, so a crash meanwhile leaves the old one.
func RebuildManifest(path string, lines func(yield func(line []byte) error) error) (*Manifest, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	m := &Manifest{f: tmp, w: bufio.NewWriterSize(tmp, 64<<10), path: tmp.Name()}
	err = lines(m.WriteLine)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	return OpenManifest(path)
}

// Path returns the manifest's file path.
func (m *Manifest) Path() string { return m.path }

// Line encodes e as one manifest line, without its newline, in a new slice
// that the caller owns. The bytes are exactly json.Marshal(e)'s (see
// appendLine); like json.Marshal, Line fails only on a FetchedAt that
// RFC 3339 cannot express (a year outside [0,9999] or a zone offset of 24
// hours or more), and then it panics, as it did when it called json.Marshal.
func (e *Entry) Line() []byte {
	n := lineOverhead + len(e.URL) + len(e.Page) + len(e.Path) + len(e.SHA256) +
		len(e.ContentType) + len(e.Status) + len(e.Error) + len(e.ETag) + len(e.LastModified)
	return e.appendLine(make([]byte, 0, n))
}

// Write buffers one entry.
func (m *Manifest) Write(e Entry) error { return m.WriteLine(e.Line()) }

// WriteLine buffers one encoded line (Entry.Line), and its newline.
func (m *Manifest) WriteLine(line []byte) error {
	if m.w.Available() < len(line)+1 && m.w.Buffered() > 0 {
		if err := m.Flush(); err != nil {
			return err
		}
	}
	if _, err := m.w.Write(line); err != nil {
		return &WriteError{Path: m.path, Err: err}
	}
	if err := m.w.WriteByte('\n'); err != nil {
		return &WriteError{Path: m.path, Err: err}
	}
	return nil
}

// Flush writes buffered lines to the file.
func (m *Manifest) Flush() error {
	if err := m.w.Flush(); err != nil {
		return &WriteError{Path: m.path, Err: err}
	}
	return nil
}

// Close flushes and closes the file.
func (m *Manifest) Close() error {
	err := m.Flush()
	if cerr := m.f.Close(); err == nil && cerr != nil {
		err = &WriteError{Path: m.path, Err: cerr}
	}
	return err
}

// ReadManifest decodes every complete line of a manifest; torn lines are skipped.
func ReadManifest(r io.Reader) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.URL != "" {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}
