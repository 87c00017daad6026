package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// errBodyIdle is the cancellation cause set when a body stalls.
var errBodyIdle = errors.New("fetch: body idle timeout")

// bodyReader wraps a response body. It enforces the size cap, turns a
// stall of Config.IdleTimeout into *TimeoutError, reports truncated bodies
// as *ShortBodyError and, on Close, releases the request context.
//
// The idle timer runs only while a Read is blocked in the underlying body:
// a slow consumer never trips it, and no goroutine exists unless the timer
// fires (time.AfterFunc). Read must not be called concurrently with itself;
// Close may be called concurrently with Read, to abort it.
type bodyReader struct {
	rc     io.ReadCloser
	url    string
	limit  int64 // <= 0: no cap
	want   int64 // declared Content-Length, -1 when unknown
	idle   time.Duration
	timer  *time.Timer // nil when idle <= 0
	ctx    context.Context
	cancel context.CancelCauseFunc

	n   int64 // bytes delivered so far
	err error // sticky error, returned by every Read after the first
}

// newBodyReader wraps rc. cancel cancels ctx, the request's context; it is
// called by the idle timer (with errBodyIdle) and by Close.
func newBodyReader(rc io.ReadCloser, rawURL string, limit, want int64, idle time.Duration,
	ctx context.Context, cancel context.CancelCauseFunc) *bodyReader {
	b := &bodyReader{rc: rc, url: rawURL, limit: limit, want: want, idle: idle, ctx: ctx, cancel: cancel}
	if idle > 0 {
		b.timer = time.AfterFunc(time.Hour, func() { cancel(errBodyIdle) })
		b.timer.Stop()
	}
	return b
}

// Read implements io.Reader.
func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.limit > 0 {
		// Ask for one byte past the cap, so an overflow is seen rather than
		// an exact-size body mistaken for a larger one.
		if room := b.limit - b.n + 1; int64(len(p)) > room {
			p = p[:room]
		}
	}
	if b.timer != nil {
		b.timer.Reset(b.idle)
	}
	n, err := b.rc.Read(p)
	if b.timer != nil {
		b.timer.Stop()
	}
	b.n += int64(n)
	if b.limit > 0 && b.n > b.limit {
		n -= int(b.n - b.limit)
		b.n = b.limit
		b.err = &TooLargeError{URL: b.url, Limit: b.limit, Declared: b.want}
		return n, b.err
	}
	if err != nil {
		b.err = b.mapErr(err)
		return n, b.err
	}
	return n, nil
}

func (b *bodyReader) mapErr(err error) error {
	if err == io.EOF {
		if b.want >= 0 && b.n < b.want {
			return &ShortBodyError{URL: b.url, Got: b.n, Want: b.want}
		}
		return io.EOF
	}
	if b.ctx.Err() != nil && context.Cause(b.ctx) == errBodyIdle {
		return &TimeoutError{URL: b.url, Phase: PhaseBody}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &ShortBodyError{URL: b.url, Got: b.n, Want: b.want}
	}
	return fmt.Errorf("fetch: reading body of %s: %w", Redact(b.url), err)
}

// Close closes the underlying body and releases the request context.
func (b *bodyReader) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.rc.Close()
	b.cancel(context.Canceled)
	return err
}
