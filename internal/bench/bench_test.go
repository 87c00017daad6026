package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

func secs(v ...float64) series {
	s := make(series, len(v))
	for i, x := range v {
		s[i] = measure{wall: time.Duration(x * float64(time.Second)), rssKiB: int64(x * 1024)}
	}
	return s
}

func TestSeriesMedianAndPeak(t *testing.T) {
	tests := []struct {
		name       string
		s          series
		wall, peak float64
	}{
		{"none", nil, 0, 0},
		{"one", secs(2), 2, 2},
		{"odd count takes the middle", secs(5, 1, 3), 3, 5},
		{"even count takes the mean of the middle two", secs(4, 1, 2, 10), 3, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.wall(); got != tt.wall {
				t.Errorf("wall() = %v, want %v", got, tt.wall)
			}
			if got := tt.s.rssMiB(); got != tt.peak {
				t.Errorf("rssMiB() = %v, want %v", got, tt.peak)
			}
		})
	}
}

func TestBenchLine(t *testing.T) {
	r := &result{w: workload{name: "a"}, crawl: secs(3.214, 3.3, 3.1), base: secs(2.9, 2.896, 3.5)}
	r.crawl[0].rssKiB = 29082 // 28.4 MiB, the peak
	want := "bench: a crawl=3.21s baseline=2.90s ratio=0.90 rss=28.4MiB"
	if got := benchLine(r); got != want {
		t.Errorf("benchLine = %q, want %q", got, want)
	}
	// With a parse series, its figures follow the fixed prefix.
	r.parse = secs(3.5, 3.4, 3.6)
	for i := range r.crawl {
		r.crawl[i].cpu = 2 * time.Second
		r.parse[i].cpu = 1600 * time.Millisecond
	}
	want += " parse=3.50s ratio_parse=1.09 cpu_vs_parse=1.25"
	if got := benchLine(r); got != want {
		t.Errorf("benchLine = %q, want %q", got, want)
	}
	// A get workload's trusted series follows the same way.
	r.parse = nil
	r.trusted = withCPU(secs(2.9, 3.0, 2.8), 1.0)
	want = "bench: a crawl=3.21s baseline=2.90s ratio=0.90 rss=28.4MiB trusted=2.90s ratio_trusted=0.90 cpu_vs_trusted=2.00"
	if got := benchLine(r); got != want {
		t.Errorf("benchLine = %q, want %q", got, want)
	}
}

// withCPU returns s with every run's CPU time set to cpu seconds.
func withCPU(s series, cpu float64) series {
	for i := range s {
		s[i].cpu = time.Duration(cpu * float64(time.Second))
	}
	return s
}

func TestWorkloadATarget(t *testing.T) {
	var a workload
	for _, w := range benchWorkloads(false) {
		if w.name == "a" {
			a = w
		}
	}
	tests := []struct {
		name               string
		crawl, base, parse float64 // wall seconds
		crawlCPU, parseCPU float64
		verified           bool
		want               bool
	}{
		{"met", 1.0, 0.9, 0.95, 1.2, 1.0, true, true},
		{"raw ratio low", 1.0, 0.8, 0.95, 1.2, 1.0, true, false},
		{"parse ratio low", 1.0, 0.9, 0.85, 1.2, 1.0, true, false},
		{"cpu too high", 1.0, 0.9, 0.95, 1.3, 1.0, true, false},
		{"not verified", 1.0, 0.9, 0.95, 1.2, 1.0, false, false},
		{"no parse series", 1.0, 0.9, 0, 1.2, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &result{w: a, crawl: withCPU(secs(tt.crawl), tt.crawlCPU), base: secs(tt.base), verified: tt.verified}
			if tt.parse > 0 {
				r.parse = withCPU(secs(tt.parse), tt.parseCPU)
			}
			if got := a.check(r); got != tt.want {
				t.Errorf("check = %v, want %v (ratio %.2f, parse ratio %.2f, cpu %.2fx)", got, tt.want, r.ratio(), r.parseRatio(), r.cpuVsParse())
			}
		})
	}
}

func TestCountRequests(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want map[string]int
	}{
		{"empty", "", map[string]int{}},
		{"tabs and a range field", "GET\t/\t-\nGET\t/i/1.png\tbytes=0-\nGET\t/i/1.png\t-\n",
			map[string]int{"GET /": 1, "GET /i/1.png": 2}},
		{"spaces, methods apart, junk skipped", "GET /a\nHEAD /a\n\nnoise\n",
			map[string]int{"GET /a": 1, "HEAD /a": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := countRequests(strings.NewReader(tt.log))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("countRequests = %v, want %v", got, tt.want)
			}
			if p := repeated(got, 1); (len(p) > 0) != strings.Contains(tt.name, "range") {
				t.Errorf("repeated = %v", p)
			}
		})
	}
}

func TestRepeatedRobotsPerProcess(t *testing.T) {
	counts := map[string]int{"GET /robots.txt": 2, "GET /": 1}
	tests := []struct {
		name  string
		procs int
		want  int
	}{
		{"one process fetches robots.txt once", 1, 1},
		{"two processes fetch it once each", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := repeated(counts, tt.procs); len(got) != tt.want {
				t.Errorf("repeated(procs=%d) = %q, want %d problems", tt.procs, got, tt.want)
			}
		})
	}
}

func TestCompareContents(t *testing.T) {
	want := map[string]bool{"x": true, "y": true}
	tests := []struct {
		name string
		got  map[string]int
		n    int
	}{
		{"exact", map[string]int{"x": 1, "y": 1}, 0},
		{"missing one", map[string]int{"x": 1}, 1},
		{"extra and doubled", map[string]int{"x": 2, "y": 1, "z": 1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p := compareContents(tt.got, want); len(p) != tt.n {
				t.Errorf("compareContents = %q, want %d problems", p, tt.n)
			}
		})
	}
}

func TestSelectWorkloads(t *testing.T) {
	all := benchWorkloads(true)
	tests := []struct {
		only    string
		want    string
		wantErr bool
	}{
		{"", "a,b,c,c-images,d,e,render,render-auto,web,index-sqlite,index-mysql,redis-1,redis-4,redis-16", false},
		{"c, a,c", "c,a", false},
		{"a,zz", "", true},
	}
	for _, tt := range tests {
		t.Run("only="+tt.only, func(t *testing.T) {
			ws, err := selectWorkloads(all, tt.only)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			var names []string
			for _, w := range ws {
				names = append(names, w.name)
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("selected %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPlanMatchesSite checks the baseline's list against the site's own
// answer: robots.txt, then every expected page once, then every image URL
// once, and nothing else.
func TestPlanMatchesSite(t *testing.T) {
	opt := testsite.Options{Pages: 40, LinksPerPage: 8, ImagesPerPage: 5, ImageBytes: 512, Seed: 1}
	tests := []struct {
		name string
		w    workload
	}{
		{"crawl depth 2", workload{mode: modeCrawl, site: opt, depth: 2}},
		{"crawl depth 5", workload{mode: modeCrawl, site: opt, depth: 5}},
		{"get", workload{mode: modeGet, site: opt, get: 25}},
		{"large", workload{mode: modeLarge, site: opt, large: 1 << 20}},
	}
	site := testsite.New(opt)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := makePlan(tt.w, "http://h")
			if p.urls[0] != "http://h/robots.txt" {
				t.Errorf("first URL %q, want robots.txt", p.urls[0])
			}
			if len(p.urls) != 1+p.pages+p.images {
				t.Errorf("%d URLs, want 1 + %d pages + %d images", len(p.urls), p.pages, p.images)
			}
			seen := map[string]bool{}
			for _, u := range p.urls {
				if seen[u] {
					t.Errorf("URL %s listed twice", u)
				}
				seen[u] = true
			}
			switch tt.w.mode {
			case modeCrawl:
				if want := len(site.ExpectedPages(tt.w.depth)); p.pages != want {
					t.Errorf("pages = %d, want %d", p.pages, want)
				}
				if want := len(site.Expected(tt.w.depth)); len(p.wantSums) != want {
					t.Errorf("%d contents, want %d", len(p.wantSums), want)
				}
			case modeGet:
				if len(p.getURLs) != tt.w.get || p.images != tt.w.get {
					t.Errorf("get URLs %d, images %d, want %d", len(p.getURLs), p.images, tt.w.get)
				}
			case modeLarge:
				if len(p.getURLs) != 1 || !strings.HasSuffix(p.getURLs[0], testsite.LargeImagePath) || p.tinyURL == "" {
					t.Errorf("large plan %v, tiny %q", p.getURLs, p.tinyURL)
				}
			}
		})
	}
}

func TestSavedContentsSkipsPrivateFiles(t *testing.T) {
	out := t.TempDir()
	files := map[string]string{
		"h/a.png":               "one",
		"h/b.png":               "one",
		"c.jpg":                 "two",
		"manifest.jsonl":        "{}",
		".imgcrawl/state.db":    "state",
		".imgcrawl/tmp/partial": "x",
	}
	for name, body := range files {
		p := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sums, n, size, err := savedContents(out, true)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || size != 9 || len(sums) != 2 {
		t.Errorf("files %d, bytes %d, contents %d; want 3, 9, 2", n, size, len(sums))
	}
}

func TestCrawlerErrors(t *testing.T) {
	tests := []struct {
		name, stderr string
		want         int
	}{
		{"clean", "done: pages 3, images 2, duplicates 0, skipped 0, errors 0, 1.0 MiB in 1s\n", 0},
		{"failures", "error: x\ndone: pages 3, images 2, duplicates 0, skipped 1, errors 4, 1.0 MiB in 1s\n", 4},
		{"no summary", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crawlerErrors(tt.stderr); got != tt.want {
				t.Errorf("crawlerErrors = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseMeasure(t *testing.T) {
	tests := []struct {
		name, line string
		want       measure
		wantErr    bool
	}{
		{"full line", "wall_ns=1500000000 cpu_ns=250000000 maxrss_kib=29082 exit=0\n",
			measure{wall: 1500 * time.Millisecond, cpu: 250 * time.Millisecond, rssKiB: 29082}, false},
		{"with the tree", "wall_ns=1500000000 cpu_ns=250000000 maxrss_kib=29082 exit=0 tree_pss_kib=401234\n",
			measure{wall: 1500 * time.Millisecond, cpu: 250 * time.Millisecond, rssKiB: 29082, treeKiB: 401234}, false},
		{"truncated", "wall_ns=15 cpu_ns=", measure{}, true},
		{"empty", "", measure{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m measure
			err := parseMeasure(tt.line, &m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && m != tt.want {
				t.Errorf("parsed %+v, want %+v", m, tt.want)
			}
		})
	}
}

func TestPrintTableVerdict(t *testing.T) {
	w := workload{name: "a", target: "ratio >= 0.85", check: func(r *result) bool { return r.ratio() >= 0.85 }}
	tests := []struct {
		name        string
		crawl, base float64
		judge       bool
		want        string
	}{
		{"fast enough", 1.0, 0.9, true, "ratio 0.90; runs (s): crawl 1.00 | baseline 0.90\n   target: ratio >= 0.85: met"},
		{"too slow", 2.0, 0.9, true, "target: ratio >= 0.85: MISSED"},
		{"smoke", 2.0, 0.9, false, "target: ratio >= 0.85: not judged at -smoke sizes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &result{w: w, crawl: secs(tt.crawl), base: secs(tt.base), plan: plan{pages: 10, images: 5, bytes: 1 << 20}}
			var b strings.Builder
			printTable(&b, r, tt.judge)
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("table lacks %q:\n%s", tt.want, b.String())
			}
		})
	}
}

func TestPrintTableTrusted(t *testing.T) {
	w := workload{name: "e", target: "t", check: func(*result) bool { return true }}
	r := &result{w: w, crawl: withCPU(secs(1.0), 1.5), base: secs(0.8), trusted: withCPU(secs(0.9), 1.2),
		reqCrawl: 1000, reqBase: 1000, plan: plan{images: 1000, bytes: 1 << 20}}
	var b strings.Builder
	printTable(&b, r, true)
	for _, want := range []string{
		"\n   trusted       0.90 ",
		"runs (s): crawl 1.00 | baseline 0.80 | trusted 0.90\n",
		"   ratio 0.80 (raw), 0.90 (trusted-file); cpu 1.25x of the trusted-file ceiling; the trusted-file ceiling is 0.89 of the raw one\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestPrintTableParse(t *testing.T) {
	w := workload{name: "a", target: "t", check: func(*result) bool { return true }}
	r := &result{w: w, crawl: withCPU(secs(1.0), 1.5), base: secs(0.9), parse: withCPU(secs(0.95), 1.2),
		reqCrawl: 1000, reqBase: 1000, reqParse: 1000, plan: plan{pages: 10, images: 5, bytes: 1 << 20}}
	var b strings.Builder
	printTable(&b, r, true)
	for _, want := range []string{
		"requests made: crawl 1000, baseline 1000, parse 1000\n",
		"\n   parse         0.95 ",
		"runs (s): crawl 1.00 | baseline 0.90 | parse 0.95\n",
		"   ratio 0.90 (raw), 0.95 (parse-inclusive); cpu 1.25x of the parse-inclusive ceiling\n",
		"cpu per request: crawl 1500.0 µs, parse-inclusive baseline 1200.0 µs\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
