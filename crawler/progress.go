package crawler

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress draws the crawl's progress: a live progressbar/v3 bar on a
// terminal, a plain line per interval otherwise, and always a final summary.
// Owned by the collector goroutine.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer, tty bool) *progress {
	p := &progress{w: w}
	if w != nil && tty {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetVisibility(true),
			progressbar.OptionSetWidth(20),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionFullWidth(),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	return p
}

// tick redraws the bar after an event (the bar throttles itself).
func (p *progress) tick(s Summary) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(describe(s))
	p.bar.Set64(s.Bytes)
}

// update is called on the collector's interval and at the end.
func (p *progress) update(s Summary, final bool) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		p.tick(s)
		if final {
			p.bar.Finish()
			p.bar.Exit()
			fmt.Fprintln(p.w)
		}
	} else if !final {
		fmt.Fprintf(p.w, "progress: %s\n", describe(s))
	}
	if final {
		fmt.Fprintf(p.w, "done: %s in %s\n", describe(s), s.Elapsed.Round(time.Millisecond))
	}
}

func describe(s Summary) string {
	mib := float64(s.Bytes) / (1 << 20)
	rate := 0.0
	if sec := s.Elapsed.Seconds(); sec > 0 {
		rate = mib / sec
	}
	return fmt.Sprintf("pages %d, images %d, duplicates %d, skipped %d, errors %d, %.1f MiB (%.1f MiB/s)",
		s.Pages, s.Images, s.Duplicates, s.Skipped, s.Failed, mib, rate)
}
