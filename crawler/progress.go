package crawler

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/imgcrawl/imgcrawl/internal/humanize"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// progress draws the crawl's progress: one live progressbar/v3 bar on a
// terminal (a spinner, or a filling bar when the length of a get's list is
// known), a plain line per interval otherwise, and always a final summary.
// Owned by the collector goroutine.
type progress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar
	get      bool  // a get: no pages to show
	total    int64 // listed URLs, when known (Config.ImagesTotal)
	interval time.Duration
	last     time.Time // the last plain line
}

// reading is what the display shows at one moment.
type reading struct {
	sum    Summary
	counts *state.Counts // the state's counts as last sampled; nil before the first
	ended  int64         // listed URLs ended or found done (get)
	// rates over the last seconds; span is how many seconds they cover.
	reqRate, byteRate, endRate, span float64
}

func newProgress(w io.Writer, tty, get bool, total int64, interval time.Duration) *progress {
	p := &progress{w: w, get: get, total: total, interval: interval}
	if w == nil || !tty {
		return p
	}
	max := int64(-1) // a spinner
	if total > 0 {
		max = total
	}
	p.bar = progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetVisibility(true),
		progressbar.OptionSetWidth(10), // a get's bar: the line says the rest
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetPredictTime(false), // the line says what is left, when it can
		progressbar.OptionSetRenderBlankState(true),
	)
	return p
}

// update redraws the bar, or writes a plain line once per interval.
func (p *progress) update(r reading, now time.Time) {
	switch {
	case p.w == nil:
	case p.bar != nil:
		p.bar.Describe(p.barLine(r))
		if p.total > 0 {
			p.bar.Set64(min(r.ended, p.total))
		} else {
			p.bar.Add64(1) // turn the spinner
		}
	case now.Sub(p.last) >= p.interval:
		p.last = now
		fmt.Fprintf(p.w, "progress: %s\n", p.line(r))
	}
}

// finish ends the bar and writes the final summary line.
func (p *progress) finish(r reading, requests, bytesIn int64) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		p.bar.Describe(p.barLine(r))
		if p.total == 0 || r.ended >= p.total {
			p.bar.Finish() // also stops the spinner's goroutine
		}
		p.bar.Exit()
		fmt.Fprintln(p.w)
	}
	s := r.sum
	sec := s.Elapsed.Seconds()
	if sec <= 0 {
		sec = 1
	}
	fmt.Fprintf(p.w, "done: pages %d%s, images %d, duplicates %d, skipped %d, errors %d, %s in %s (%s req/s, %s)\n",
		s.Pages, StylesheetsRead(s)+RenderedPages(s), s.Images, s.Duplicates, s.Skipped, s.Failed, humanize.Bytes(s.Bytes),
		s.Elapsed.Round(time.Millisecond), humanize.Rate(float64(requests)/sec), humanize.ByteRate(float64(bytesIn)/sec))
}

// line says what is done and what is left: pages and images done and
// queued, errors, requests and bytes per second, and for a get whose list
// length is known, how many are left and an estimate of the time that takes.
func (p *progress) line(r reading) string {
	var b strings.Builder
	s := r.sum
	if !p.get {
		fmt.Fprintf(&b, "pages %d done", s.Pages)
		if r.counts != nil {
			fmt.Fprintf(&b, ", %d queued", r.counts.PagesPending)
		}
		b.WriteString("; ")
	}
	fmt.Fprintf(&b, "images %d saved (%s), %d duplicates, %d skipped", s.Images, humanize.Bytes(s.Bytes), s.Duplicates, s.Skipped)
	if r.counts != nil {
		fmt.Fprintf(&b, ", %d queued", r.counts.ImagesPending)
	}
	fmt.Fprintf(&b, "; errors %d; %s req/s, %s", s.Failed, humanize.Rate(r.reqRate), humanize.ByteRate(r.byteRate))
	if p.total > 0 {
		fmt.Fprintf(&b, "; %d of %d URLs%s", r.ended, p.total, p.eta(r))
	}
	return b.String()
}

// barLine is line for the bar, short enough for a terminal's width: counts
// that are zero are left out.
func (p *progress) barLine(r reading) string {
	var parts []string
	s := r.sum
	queued := func(done int64, what string, pending func(state.Counts) int64) string {
		if r.counts == nil {
			return fmt.Sprintf("%s %d", what, done)
		}
		return fmt.Sprintf("%s %d (%d queued)", what, done, pending(*r.counts))
	}
	if !p.get {
		parts = append(parts, queued(s.Pages, "pages", func(c state.Counts) int64 { return c.PagesPending }))
	}
	parts = append(parts, queued(s.Images, "images", func(c state.Counts) int64 { return c.ImagesPending }))
	for _, n := range []struct {
		v    int64
		what string
	}{{s.Duplicates, "dup"}, {s.Skipped, "skipped"}, {s.Failed, "errors"}} {
		if n.v > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n.v, n.what))
		}
	}
	parts = append(parts, humanize.Bytes(s.Bytes), humanize.Rate(r.reqRate)+" req/s", humanize.ByteRate(r.byteRate))
	if p.total > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d URLs%s", r.ended, p.total, p.eta(r)))
	}
	return strings.Join(parts, " · ")
}

// eta says, for a get whose list length is known, how long its remaining
// URLs should take at the current rate: ", about 3m10s left", once the rate
// spans a few seconds; "" before, or when nothing is left.
func (p *progress) eta(r reading) string {
	n := p.total - r.ended
	if p.total <= 0 || n <= 0 || r.endRate <= 0 || r.span < minETASpan {
		return ""
	}
	d := max(time.Duration(float64(n)/r.endRate*float64(time.Second)), time.Second)
	return ", about " + humanize.Duration(d) + " left"
}

// minETASpan is how many seconds of rates an estimate of time left needs.
const minETASpan = 2

// StylesheetsRead is ", style sheets N" for a summary line, when s read
// any style sheets, else "".
func StylesheetsRead(s Summary) string {
	if s.Stylesheets == 0 {
		return ""
	}
	return fmt.Sprintf(", style sheets %d", s.Stylesheets)
}

// RenderedPages is ", rendered N" for a summary line, when s rendered any
// pages (Config.Render), else "".
func RenderedPages(s Summary) string {
	if s.Rendered == 0 {
		return ""
	}
	return fmt.Sprintf(", rendered %d", s.Rendered)
}
