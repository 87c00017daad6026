package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/internal/humanize"
)

// printSummary writes what a run did: its errors and counts with -q (the
// live display shows them otherwise), and in every mode what a resumed
// crawl holds in all, or that a re-run found it complete. When no seed
// could be fetched, their failures are left to that error's message.
func printSummary(w io.Writer, sum crawler.Summary, quiet bool) {
	errs := sum.Errors
	if sum.NothingFetched() {
		errs = withoutSeeds(errs, sum.SeedFailures)
	}
	if quiet {
		for _, f := range errs {
			fmt.Fprintf(w, "error: %s\n", describeFailure(f))
		}
	} else if len(errs) > 0 {
		fmt.Fprintf(w, "first errors:\n")
		for _, f := range errs {
			fmt.Fprintf(w, "  %s\n", describeFailure(f))
		}
	}
	if sm := sum.Sitemaps; sm != (crawler.SitemapCounts{}) {
		fmt.Fprintf(w, "sitemaps: %d read, %d failed; pages %d, images %d, off scope %d\n",
			sm.Files, sm.Failed, sm.Pages, sm.Images, sm.OffScope)
	}
	if sum.Indexed > 0 {
		fmt.Fprintf(w, "index: %d rows written (crawl %s)\n", sum.Indexed, sum.CrawlID)
	}
	t := sum.Total
	idle := sum.Pages+sum.Images+sum.Duplicates+sum.Skipped+sum.Failed == 0
	if sum.Resumed && idle && t.PagesPending == 0 && t.ImagesPending == 0 {
		fmt.Fprintf(w, "already complete: the stored crawl holds pages %d, images %d, duplicates %d, skipped %d, failed %d, %s; nothing left to do (--fresh starts over)\n",
			t.PagesDone, t.Saved, t.Duplicates, t.Skipped, t.Failed, humanize.Bytes(t.Bytes))
		return
	}
	if quiet {
		fmt.Fprintf(w, "done: pages %d%s, images %d, duplicates %d, skipped %d, errors %d, %s in %s%s\n",
			sum.Pages, crawler.StylesheetsRead(sum)+crawler.RenderedPages(sum), sum.Images, sum.Duplicates, sum.Skipped, sum.Failed, humanize.Bytes(sum.Bytes),
			sum.Elapsed.Round(time.Millisecond), alreadyDone(sum))
	}
	if sum.Resumed {
		fmt.Fprintf(w, "resumed crawl, in all: pages %d, images %d, duplicates %d, skipped %d, failed %d, %s\n",
			t.PagesDone, t.Saved, t.Duplicates, t.Skipped, t.Failed, humanize.Bytes(t.Bytes))
	}
}

func alreadyDone(sum crawler.Summary) string {
	if sum.AlreadyDone == 0 {
		return ""
	}
	return fmt.Sprintf(", already done %d", sum.AlreadyDone)
}

// withoutSeeds returns the failures of errs whose URL is not in seeds.
func withoutSeeds(errs, seeds []crawler.Failure) []crawler.Failure {
	skip := make(map[string]bool, len(seeds))
	for _, f := range seeds {
		skip[f.URL] = true
	}
	var out []crawler.Failure
	for _, f := range errs {
		if !skip[f.URL] {
			out = append(out, f)
		}
	}
	return out
}

// describeFailure writes a failure with the flag that lets it through, when
// one does.
func describeFailure(f crawler.Failure) string {
	var pe *fetch.PolicyError
	switch {
	case errors.As(f.Err, &pe):
		return f.Error() + " (--allow-private allows it)"
	case errors.Is(f.Err, crawler.ErrOutOfScope):
		return f.Error() + " (a wider --scope follows it)"
	}
	return f.Error()
}

// runOutcome turns what a run did into its exit status: a run that could
// fetch none of the URLs it was given is an error (exit 1); with --strict,
// so is any failure (exit 3), counting, for a resumed crawl, the images
// that failed in earlier runs. stored says the crawl state outlives the run
// (a re-run would not try again without --fresh).
func runOutcome(sum crawler.Summary, get, strict, stored bool) error {
	if sum.NothingFetched() {
		return nothingFetched{sum: sum, get: get, stored: stored}
	}
	failed := sum.Failed
	if sum.Resumed {
		failed = max(failed, sum.Total.Failed)
	}
	if strict && failed > 0 {
		return failuresError{failed}
	}
	return nil
}

// nothingFetched says that no seed (no listed URL, for get) could be
// fetched, and why.
type nothingFetched struct {
	sum         crawler.Summary
	get, stored bool
}

func (e nothingFetched) Error() string {
	what := "seed"
	if e.get {
		what = "URL"
	}
	fs := e.sum.SeedFailures
	var b strings.Builder
	if e.sum.Seeds == 1 && len(fs) == 1 {
		fmt.Fprintf(&b, "no %s could be fetched: %s", what, describeFailure(fs[0]))
	} else {
		fmt.Fprintf(&b, "none of the %d %ss could be fetched:", e.sum.Seeds, what)
		for _, f := range fs {
			fmt.Fprintf(&b, "\n  %s", describeFailure(f))
		}
		if more := e.sum.Seeds - int64(len(fs)); more > 0 {
			fmt.Fprintf(&b, "\n  and %d more", more)
		}
	}
	if e.stored {
		b.WriteString("\nthe crawl state keeps this outcome: add --fresh to try again")
	}
	return b.String()
}

// failuresError is a run with failures under --strict.
type failuresError struct{ failed int64 }

func (e failuresError) Error() string {
	if e.failed == 1 {
		return "--strict: 1 page or image failed"
	}
	return fmt.Sprintf("--strict: %d pages or images failed", e.failed)
}
