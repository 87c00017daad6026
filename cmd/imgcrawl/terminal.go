package main

import (
	"bytes"
	"io"
	"sync"
)

// terminal is stderr shared by the progress display and everything else a
// run writes there (messages, warnings, logs), which may come from several
// goroutines. Writes are serialized. On a terminal, a message written while
// the live bar is drawn first clears the bar's line, and the bar is drawn
// again under the message, so that neither tears the other. Safe for
// concurrent use.
type terminal struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
	bar []byte // the bar's line as last drawn (from its "\r"), while it is drawn
}

// clearLine returns the cursor to the line's start and erases the line.
const clearLine = "\r\033[K"

// maxBarLine bounds what is kept of the bar's line.
const maxBarLine = 4 << 10

func newTerminal(w io.Writer, tty bool) *terminal { return &terminal{w: w, tty: tty} }

// Write writes a message: whole lines, as fmt.Fprintf and slog write them.
func (t *terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.tty || len(t.bar) == 0 {
		return t.w.Write(p)
	}
	if _, err := io.WriteString(t.w, clearLine); err != nil {
		return 0, err
	}
	n, err := t.w.Write(p)
	if err == nil && bytes.HasSuffix(p, []byte("\n")) {
		_, err = t.w.Write(t.bar)
	}
	return n, err
}

// progress returns the writer for the progress display.
func (t *terminal) progress() io.Writer { return barWriter{t} }

// barWriter writes the progress display, remembering the bar's line.
type barWriter struct{ t *terminal }

func (b barWriter) Write(p []byte) (int, error) {
	t := b.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
		t.bar = append(t.bar[:0], p[i+1:]...)
	} else if i := bytes.LastIndexByte(p, '\r'); i >= 0 {
		t.bar = append(t.bar[:0], p[i:]...)
	} else if len(t.bar)+len(p) <= maxBarLine {
		t.bar = append(t.bar, p...)
	}
	return t.w.Write(p)
}
