package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
func OpenManifest(path string) (*Manifest, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
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

// Path returns the manifest's file path.
func (m *Manifest) Path() string { return m.path }

// Write buffers one entry.
func (m *Manifest) Write(e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("store: manifest: %w", err)
	}
	b = append(b, '\n')
	if m.w.Available() < len(b) && m.w.Buffered() > 0 {
		if err := m.Flush(); err != nil {
			return err
		}
	}
	if _, err := m.w.Write(b); err != nil {
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
