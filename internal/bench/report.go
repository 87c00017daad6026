package main

import (
	"fmt"
	"io"
	"strings"
)

// ratioNote explains the ratio wherever it is printed.
const ratioNote = "ratio = baseline time / crawl time: the crawler's speed relative to the baseline (1.00 = as fast as the ceiling); parse = the baseline with -parse, which also parses each HTML page and resolves its links and image URLs; trusted = the baseline with -trusted, which also hashes each image and links it under its name only once whole"

// printTable writes the per-workload table: medians of wall time, rates
// over the workload's fixed work, peak RSS and CPU time for each side, and
// whether the target was met (when judge is set).
func printTable(w io.Writer, r *result, judge bool) {
	p := r.plan
	if r.w.mode == modeWeb {
		fmt.Fprintf(w, "   work: %d pages and %d images as wget saved them, %.1f MiB; baseline: wget -r -p (one connection)\n",
			p.pages, p.images, float64(p.bytes)/mib)
	} else {
		parse := ""
		if len(r.parse) > 0 {
			parse = fmt.Sprintf(", parse %d", r.reqParse)
		}
		fmt.Fprintf(w, "   work: %d pages + %d images = %d requests with robots.txt, %.1f MiB; requests made: crawl %d, baseline %d%s\n",
			p.pages, p.images, len(p.urls), float64(p.bytes)/mib, r.reqCrawl, r.reqBase, parse)
	}
	fmt.Fprintf(w, "   %-9s %8s %9s %9s %8s %8s %7s\n", "", "wall s", "pages/s", "images/s", "MiB/s", "rss MiB", "cpu s")
	row := func(name string, s series) {
		wall := s.wall()
		fmt.Fprintf(w, "   %-9s %8.2f %9s %9s %8s %8.1f %7.2f\n", name, wall,
			rate(float64(p.pages), wall), rate(float64(p.images), wall), rate(float64(p.bytes)/mib, wall), s.rssMiB(), s.cpu())
	}
	row("crawl", r.crawl)
	row("baseline", r.base)
	if len(r.parse) > 0 {
		row("parse", r.parse)
	}
	if len(r.trusted) > 0 {
		row("trusted", r.trusted)
	}
	if len(r.tiny) > 0 {
		fmt.Fprintf(w, "   %-9s %8.2f %9s %9s %8s %8.1f %7.2f\n", "tiny get", r.tiny.wall(), "-", "-", "-", r.tiny.rssMiB(), r.tiny.cpu())
		fmt.Fprintf(w, "   rss growth over a tiny get: %.1f MiB (%.1f - %.1f)\n",
			r.crawl.rssMiB()-r.tiny.rssMiB(), r.crawl.rssMiB(), r.tiny.rssMiB())
	}
	if r.w.mode == modeWeb && p.pages > 0 {
		fmt.Fprintf(w, "   cpu per page: crawl %.2f ms, wget %.2f ms (%.2fx)\n", 1000*r.crawl.cpu()/float64(p.pages),
			1000*r.base.cpu()/float64(p.pages), r.crawl.cpu()/max(r.base.cpu(), 1e-9))
	}
	switch {
	case len(r.trusted) > 0:
		fmt.Fprintf(w, "   runs (s): crawl %s | baseline %s | trusted %s\n", walls(r.crawl), walls(r.base), walls(r.trusted))
		fmt.Fprintf(w, "   ratio %.2f (raw), %.2f (trusted-file); cpu %.2fx of the trusted-file ceiling; the trusted-file ceiling is %.2f of the raw one\n",
			r.ratio(), r.trustedRatio(), r.cpuVsTrusted(), r.base.wall()/max(r.trusted.wall(), 1e-9))
	case len(r.parse) == 0:
		fmt.Fprintf(w, "   ratio %.2f; runs (s): crawl %s | baseline %s\n", r.ratio(), walls(r.crawl), walls(r.base))
	default:
		fmt.Fprintf(w, "   runs (s): crawl %s | baseline %s | parse %s\n", walls(r.crawl), walls(r.base), walls(r.parse))
		fmt.Fprintf(w, "   ratio %.2f (raw), %.2f (parse-inclusive); cpu %.2fx of the parse-inclusive ceiling\n",
			r.ratio(), r.parseRatio(), r.cpuVsParse())
		if r.reqCrawl > 0 && r.reqParse > 0 {
			fmt.Fprintf(w, "   cpu per request: crawl %.1f µs, parse-inclusive baseline %.1f µs\n",
				1e6*r.crawl.cpu()/float64(r.reqCrawl), 1e6*r.parse.cpu()/float64(r.reqParse))
		}
	}
	if r.w.tree {
		fmt.Fprintf(w, "   crawler + browser: peak memory %.1f MiB (sum of PSS, sampled every 100 ms); largest single process %.1f MiB (ru_maxrss); cpu %.2f s\n",
			r.crawl.treeMiB(), r.crawl.rssMiB(), r.crawl.cpu())
	}
	if r.w.against != "" {
		if r.againstWall > 0 {
			fmt.Fprintf(w, "   crawl time %.2f s vs %.2f s for (%s): %.2fx\n", r.crawl.wall(), r.againstWall, r.w.against, r.crawl.wall()/r.againstWall)
		} else {
			fmt.Fprintf(w, "   (%s) did not run before: run both (-only %s,%s) to judge\n", r.w.against, r.w.against, r.w.name)
		}
	}
	verdict := "met"
	switch {
	case !judge:
		verdict = "not judged at -smoke sizes"
	case !r.w.check(r):
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "   target: %s: %s\n", r.w.target, verdict)
	for _, problem := range r.problems {
		fmt.Fprintf(w, "   warning: %s: %s\n", r.w.name, problem)
	}
}

// rate formats units per second, or "-" when there are none.
func rate(units, seconds float64) string {
	if units <= 0 || seconds <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", units/seconds)
}

func walls(s series) string {
	parts := make([]string, len(s))
	for i, m := range s {
		parts[i] = fmt.Sprintf("%.2f", m.wall.Seconds())
	}
	return strings.Join(parts, " ")
}

// benchLine is the one-line summary of a workload, in the fixed form
// "bench: <workload> crawl=<s>s baseline=<s>s ratio=<r> rss=<MiB>MiB",
// followed, when the baseline also ran with -parse, by
// "parse=<s>s ratio_parse=<r> cpu_vs_parse=<x>", and when it ran with
// -trusted, by "trusted=<s>s ratio_trusted=<r> cpu_vs_trusted=<x>".
func benchLine(r *result) string {
	line := fmt.Sprintf("bench: %s crawl=%.2fs baseline=%.2fs ratio=%.2f rss=%.1fMiB",
		r.w.name, r.crawl.wall(), r.base.wall(), r.ratio(), r.crawl.rssMiB())
	if len(r.parse) > 0 {
		line += fmt.Sprintf(" parse=%.2fs ratio_parse=%.2f cpu_vs_parse=%.2f", r.parse.wall(), r.parseRatio(), r.cpuVsParse())
	}
	if len(r.trusted) > 0 {
		line += fmt.Sprintf(" trusted=%.2fs ratio_trusted=%.2f cpu_vs_trusted=%.2f", r.trusted.wall(), r.trustedRatio(), r.cpuVsTrusted())
	}
	if r.redisScripts > 0 && r.reqCrawl > 0 {
		line += fmt.Sprintf(" redis_scripts_per_request=%.2f", float64(r.redisScripts)/float64(r.reqCrawl))
	}
	return line
}

// extraLines are the one-line results some workloads add to benchLine's:
// pages rendered per second and the memory of crawler and browser, the
// time relative to another workload.
func extraLines(r *result) []string {
	var lines []string
	if r.w.tree {
		lines = append(lines, fmt.Sprintf("bench: %s pages/s=%s crawler+browser=%.1fMiB",
			r.w.name, rate(float64(r.plan.pages), r.crawl.wall()), r.crawl.treeMiB()))
	}
	if r.w.against != "" && r.againstWall > 0 {
		lines = append(lines, fmt.Sprintf("bench: %s time=%.2fx of %s", r.w.name, r.crawl.wall()/r.againstWall, r.w.against))
	}
	return lines
}
