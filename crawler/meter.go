package crawler

import (
	"io"
	"sync/atomic"
	"time"
)

// meter holds what workers and the frontier count for the progress display
// besides events: the collector reads it on its ticks. Safe for concurrent
// use.
type meter struct {
	requests    atomic.Int64 // HTTP requests sent (robots.txt included)
	bytesIn     atomic.Int64 // response body bytes read
	alreadyDone atomic.Int64 // listed image URLs the state had seen (Summary.AlreadyDone)
	rendered    atomic.Int64 // pages rendered in the browser (Summary.Rendered)
}

// countingBody counts the bytes read from a response body into a meter.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// sample is a reading of the counters a rate is computed from.
type sample struct {
	at                    time.Time
	requests, bytes, ends int64 // ends: listed URLs ended or found done
}

// rateWindow computes rates over the last window of samples, so that the
// display follows what the crawl does now rather than its average since
// the start.
type rateWindow struct {
	window  time.Duration
	samples []sample
}

// add records a sample and drops those older than the window (keeping one
// from before it, so that a rate always spans the window).
func (r *rateWindow) add(s sample) {
	r.samples = append(r.samples, s)
	for len(r.samples) > 2 && s.at.Sub(r.samples[1].at) >= r.window {
		r.samples = r.samples[1:]
	}
}

// rates returns requests, bytes and listed URLs per second over the
// window, and the seconds they span (zero before two samples).
func (r *rateWindow) rates() (requests, bytes, ends, span float64) {
	if len(r.samples) < 2 {
		return 0, 0, 0, 0
	}
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	sec := last.at.Sub(first.at).Seconds()
	if sec <= 0 {
		return 0, 0, 0, 0
	}
	return float64(last.requests-first.requests) / sec, float64(last.bytes-first.bytes) / sec,
		float64(last.ends-first.ends) / sec, sec
}
