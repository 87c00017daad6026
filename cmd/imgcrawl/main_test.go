package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// runCLI runs the CLI in-process with the given stdin.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2AndNameTheInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"crawl", "--frobnicate", "http://127.0.0.1/"}, "--frobnicate"},
		{"bad depth value", []string{"crawl", "-d", "x", "http://127.0.0.1/"}, "--depth"},
		{"bad scope", []string{"crawl", "--scope", "planet", "http://127.0.0.1/"}, "--scope"},
		{"bad layout", []string{"crawl", "--layout", "tree", "http://127.0.0.1/"}, "--layout"},
		{"bad srcset", []string{"crawl", "-o", dir, "--srcset", "biggest", "http://127.0.0.1/"}, `--srcset: "biggest" is not one of all, largest`},
		{"bad size", []string{"crawl", "--max-size", "12parsecs", "http://127.0.0.1/"}, "--max-size"},
		{"bad regexp", []string{"crawl", "-o", dir, "--include", "(", "http://127.0.0.1/"}, "include"},
		{"no seeds", []string{"crawl", "-o", dir}, "no seed"},
		{"only bad seeds", []string{"crawl", "-o", dir, "notaurl"}, "no seed"},
		{"missing input", []string{"crawl", "-o", dir, "-i", filepath.Join(dir, "nope.txt")}, "nope.txt"},
		{"zero concurrency", []string{"crawl", "-o", dir, "-c", "0", "http://127.0.0.1/"}, "--concurrency"},
		{"bad header", []string{"crawl", "-o", dir, "-H", "novalue", "http://127.0.0.1/"}, "--header"},
		{"negative depth", []string{"crawl", "-o", dir, "--depth=-1", "http://127.0.0.1/"}, "--depth: must be >= 0, got -1"},
		{"negative demo depth", []string{"demo", "-o", dir, "--depth=-2"}, "--depth: must be >= 0, got -2"},
		{"negative concurrency", []string{"get", "-o", dir, "--concurrency=-3", "http://127.0.0.1/a.png"}, "--concurrency: must be > 0, got -3"},
		{"zero per-host", []string{"crawl", "-o", dir, "--per-host", "0", "http://127.0.0.1/"}, "--per-host: must be > 0, got 0"},
		{"negative per-host", []string{"crawl", "-o", dir, "--per-host=-1", "http://127.0.0.1/"}, "--per-host: must be > 0, got -1"},
		{"negative rate", []string{"crawl", "-o", dir, "--rate=-1", "http://127.0.0.1/"}, "--rate: must be >= 0"},
		{"negative host rate", []string{"crawl", "-o", dir, "--host-rate=-1", "http://127.0.0.1/"}, "--host-rate: must be >= 0"},
		{"negative retries", []string{"crawl", "-o", dir, "--retries=-1", "http://127.0.0.1/"}, "--retries: must be >= 0, got -1"},
		{"negative min width", []string{"get", "-o", dir, "--min-width=-1", "http://127.0.0.1/a.png"}, "--min-width: must be >= 0"},
		{"bad index", []string{"crawl", "-o", dir, "--index", "idx.db", "http://127.0.0.1/"}, `--index: index: address "idx.db": want sqlite:PATH`},
		{"unknown index database", []string{"get", "-o", dir, "--index", "oracle://u:pw@h/db", "http://127.0.0.1/a.png"}, `--index: index: address "oracle://u:xxxxx@h/db": unknown database "oracle"`},
		{"skip-known without index", []string{"crawl", "-o", dir, "--skip-known", "http://127.0.0.1/"}, "--skip-known needs --index DSN"},
		{"revalidate without index", []string{"get", "-o", dir, "--revalidate", "http://127.0.0.1/a.png"}, "--revalidate needs --index DSN"},
		{"no browser", []string{"crawl", "-o", dir, "--render", "--browser", filepath.Join(dir, "chromium"), "http://127.0.0.1/"}, "apt-get install chromium"},
		{"bad render-match", []string{"crawl", "-o", dir, "--render=auto", "--render-match", "(", "http://127.0.0.1/"}, "render-match"},
		{"negative min height", []string{"get", "-o", dir, "--min-height=-1", "http://127.0.0.1/a.png"}, "--min-height: must be >= 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not name %q:\n%s", tc.want, stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "imgcrawl ") {
		t.Fatalf("version: exit %d, out %q", code, out)
	}
}

func TestCrawlFromSeedFileSkipsBadLines(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	dir := t.TempDir()
	seeds := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seeds, []byte("# seeds\n\nnot a url\n"+base+"/\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "", "crawl", "-q", "-d", "1", "-o", out, "-i", seeds)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not clean: %q", stdout)
	}
	if !strings.Contains(stderr, "seeds.txt:3") {
		t.Errorf("bad line not reported with its line number:\n%s", stderr)
	}
	if !strings.Contains(stderr, "done: pages") {
		t.Errorf("no summary line:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.jsonl")); err != nil {
		t.Errorf("no manifest: %v", err)
	}
}

func TestCrawlSeedsFromStdin(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	code, _, stderr := runCLI(t, base+"/\n", "crawl", "-q", "-d", "0", "-o", out, "-i", "-")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "pages 1,") {
		t.Errorf("seed from stdin not crawled:\n%s", stderr)
	}
}

func TestDemoCrawlsTheBundledSite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := runCLI(t, "", "demo", "-q", "-o", out)
	if code != 0 || !strings.Contains(stdout, "are saved, each once") {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestURLWithoutSchemeIsTriedAsHTTP: "127.0.0.1:8900/" in the arguments
// or a list is crawled as http://127.0.0.1:8900/, said once.
func TestURLWithoutSchemeIsTriedAsHTTP(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	host := strings.TrimPrefix(base, "http://")
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte(host+"/p/1.html\n"), 0o644)
	img := ""
	for _, im := range site.ImageList() {
		if !im.Disallowed && im.SHA256 != "" && img == "" {
			img = im.Path
		}
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		first string
		want  string
	}{
		{"crawl argument and file", []string{"crawl", "-d", "0", host + "/", "-i", list}, "", host + "/", "pages 2,"},
		{"crawl file", []string{"crawl", "-d", "0", "-i", list}, "", host + "/p/1.html", "pages 1,"},
		{"get argument", []string{"get", host + img}, "", host + img, "images 1,"},
		{"get stdin", []string{"get", "-i", "-"}, host + img + "\n", host + img, "images 1,"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{tc.args[0], "-q", "--state", "none", "-o", t.TempDir()}, tc.args[1:]...)
			code, _, stderr := runCLI(t, tc.stdin, args...)
			if code != 0 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want 0 and %q:\n%s", code, tc.want, stderr)
			}
			note := fmt.Sprintf("imgcrawl: no scheme in %q: trying http://%s\n", tc.first, tc.first)
			if !strings.Contains(stderr, note) || strings.Count(stderr, "no scheme") != 1 {
				t.Errorf("stderr does not say once %q:\n%s", note, stderr)
			}
		})
	}
}
