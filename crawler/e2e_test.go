package crawler

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

// savedFiles returns the SHA-256 of every image file under out (not the
// manifest, not imgcrawl's private folder), keyed by relative path.
func savedFiles(t *testing.T, out string) map[string]string {
	t.Helper()
	files, err := testsite.SavedImages(out)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func tempFiles(t *testing.T, out string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(out, store.PrivateDir, "tmp", "*"))
	return m
}

func TestCrawlSavesExactlyTheExpectedImages(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	for depth := 0; depth <= 3; depth++ {
		t.Run("depth"+string(rune('0'+depth)), func(t *testing.T) {
			site.ResetRequests()
			out := t.TempDir()
			c, err := New(Config{Retries: NoRetries, Seeds: []string{base + "/"}, Depth: cmp.Or(depth, SeedsOnly), Out: out, Concurrency: 8, PerHost: 8})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := c.Run(context.Background())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := map[string]bool{}
			for _, e := range site.Expected(depth) {
				want[e.SHA256] = true
			}
			got := map[string]int{}
			for path, sha := range savedFiles(t, out) {
				got[sha]++
				if got[sha] > 1 {
					t.Errorf("content %s saved twice (again at %s)", sha[:12], path)
				}
				if !want[sha] {
					t.Errorf("unexpected file %s (%s)", path, sha[:12])
				}
			}
			for sha := range want {
				if got[sha] == 0 {
					t.Errorf("expected image %s not saved", sha[:12])
				}
			}
			if int(sum.Images) != len(want) {
				t.Errorf("summary says %d images saved, want %d", sum.Images, len(want))
			}
			for target, n := range site.Requests() {
				if n > 1 {
					t.Errorf("%s requested %d times", target, n)
				}
				if site.Disallowed(target) {
					t.Errorf("%s requested though robots.txt disallows it", target)
				}
			}
			if tmp := tempFiles(t, out); len(tmp) > 0 {
				t.Errorf("temp files left: %v", tmp)
			}
			f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			entries, err := store.ReadManifest(f)
			if err != nil {
				t.Fatal(err)
			}
			saved := 0
			for _, e := range entries {
				if e.Status == "saved" {
					saved++
					if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(e.Path))); err != nil {
						t.Errorf("manifest names %s, which is not there: %v", e.Path, err)
					}
				}
			}
			if saved != len(want) {
				t.Errorf("manifest has %d saved entries, want %d", saved, len(want))
			}
		})
	}
}

func TestCancelLeavesNoPartialFiles(t *testing.T) {
	opt := testsite.DefaultOptions()
	opt.Latency = 5 * time.Millisecond
	opt.ImageBytes = 64 << 10
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int32
	c, err := New(Config{Retries: NoRetries, Seeds: []string{base + "/"}, Depth: 5, Out: out, Concurrency: 8,
		OnEvent: func(ev Event) {
			if n.Add(1) == 20 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel = %v, want context.Canceled", err)
	}
	if tmp := tempFiles(t, out); len(tmp) > 0 {
		t.Errorf("temp files left: %v", tmp)
	}
	valid := map[string]bool{}
	for _, e := range site.Expected(5) {
		valid[e.SHA256] = true
	}
	for path, sha := range savedFiles(t, out) {
		if !valid[sha] {
			t.Errorf("%s is not a complete image of the site (partial?)", path)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no seeds", Config{}, "seeds"},
		{"only bad seeds", Config{Seeds: []string{"ftp://x/", "::"}}, "seeds"},
		{"bad include", Config{Seeds: []string{"http://127.0.0.1/"}, Include: []string{"("}}, "include"},
		{"bad exclude", Config{Seeds: []string{"http://127.0.0.1/"}, Exclude: []string{"[a"}}, "exclude"},
		{"bad scope", Config{Seeds: []string{"http://127.0.0.1/"}, Scope: "planet"}, "scope"},
		{"negative depth", Config{Seeds: []string{"http://127.0.0.1/"}, Depth: -2}, "depth"},
		{"bad layout", Config{Seeds: []string{"http://127.0.0.1/"}, Layout: "tree"}, "layout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Out = t.TempDir()
			_, err := New(tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("New = %v, want a ConfigError for %s", err, tc.field)
			}
		})
	}
}

func TestBadSeedIsReportedAndSkipped(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	var failed []string
	c, err := New(Config{Retries: NoRetries, Seeds: []string{"javascript:alert(1)", base + "/"}, Depth: SeedsOnly, Out: t.TempDir(),
		OnEvent: func(ev Event) {
			if ev.Status == "failed" {
				failed = append(failed, ev.URL)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(failed, func(s string) bool { return strings.HasPrefix(s, "javascript:") }) {
		t.Errorf("bad seed not reported: failed = %v", failed)
	}
	if sum.Pages != 1 || sum.Images == 0 {
		t.Errorf("summary %+v: the good seed was not crawled", sum)
	}
}
