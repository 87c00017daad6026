package main

import (
	"fmt"
	"io"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// printSummary writes what a run did: its errors and counts with -q (the
// live display shows them otherwise), and in every mode what a resumed
// crawl holds in all, or that a re-run found it complete.
func printSummary(w io.Writer, sum crawler.Summary, quiet bool) {
	if quiet {
		for _, msg := range sum.Errors {
			fmt.Fprintf(w, "error: %s\n", msg)
		}
	} else if len(sum.Errors) > 0 {
		fmt.Fprintf(w, "first errors:\n")
		for _, msg := range sum.Errors {
			fmt.Fprintf(w, "  %s\n", msg)
		}
	}
	t := sum.Total
	idle := sum.Pages+sum.Images+sum.Duplicates+sum.Skipped+sum.Failed == 0
	if sum.Resumed && idle && t.PagesPending == 0 && t.ImagesPending == 0 {
		fmt.Fprintf(w, "already complete: the stored crawl holds pages %d, images %d, duplicates %d, skipped %d, failed %d, %s; nothing left to do (--fresh starts over)\n",
			t.PagesDone, t.Saved, t.Duplicates, t.Skipped, t.Failed, formatBytes(t.Bytes))
		return
	}
	if quiet {
		fmt.Fprintf(w, "done: pages %d, images %d, duplicates %d, skipped %d, errors %d, %s in %s%s\n",
			sum.Pages, sum.Images, sum.Duplicates, sum.Skipped, sum.Failed, formatBytes(sum.Bytes),
			sum.Elapsed.Round(time.Millisecond), alreadyDone(sum))
	}
	if sum.Resumed {
		fmt.Fprintf(w, "resumed crawl, in all: pages %d, images %d, duplicates %d, skipped %d, failed %d, %s\n",
			t.PagesDone, t.Saved, t.Duplicates, t.Skipped, t.Failed, formatBytes(t.Bytes))
	}
}

func alreadyDone(sum crawler.Summary) string {
	if sum.AlreadyDone == 0 {
		return ""
	}
	return fmt.Sprintf(", already done %d", sum.AlreadyDone)
}

// formatBytes writes a size the way people read it: 512 B, 3.4 KiB, 12.0 MiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i])
}
