package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

func TestGetFromStdinWithDuplicatesBadLinesAnd404(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	var lines []string
	want := map[string]bool{}
	n := 0
	for _, im := range site.ImageList() {
		if im.Disallowed || n == 10 {
			continue
		}
		n++
		lines = append(lines, base+im.Path)
		want[im.SHA256] = true
	}
	lines = append(lines, lines[0], "# a comment", "", "ftp://nope/x.png", "not a url", base+"/no/such.png")
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, strings.Join(lines, "\n")+"\n", "get", "-q", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not clean: %q", stdout)
	}
	for _, ln := range []string{"stdin:14:", "stdin:15:"} {
		if !strings.Contains(stderr, ln) {
			t.Errorf("bad line %s not reported:\n%s", ln, stderr)
		}
	}
	files, err := testsite.SavedImages(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for path, sum := range files {
		if !want[sum] || got[sum] {
			t.Errorf("%s: unexpected or repeated content", path)
		}
		got[sum] = true
	}
	if len(got) != len(want) {
		t.Errorf("%d distinct images saved, want %d", len(got), len(want))
	}
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, _ := store.ReadManifest(f)
	status := map[string][]string{}
	for _, e := range entries {
		status[strings.TrimPrefix(e.URL, base)] = append(status[strings.TrimPrefix(e.URL, base)], string(e.Status))
	}
	if s := status["/no/such.png"]; len(s) != 1 || s[0] != "failed" {
		t.Errorf("404 entry: %v, want [failed]", s)
	}
	first := strings.TrimPrefix(lines[0], base)
	if s := status[first]; len(s) != 1 || s[0] != "saved" {
		t.Errorf("line listed twice: %v, want one saved entry (a URL has one final line)", s)
	}
	if !strings.Contains(stderr, "already done 1") {
		t.Errorf("summary does not count the line listed twice as already done:\n%s", stderr)
	}
	for _, r := range site.Requests() {
		if r > 1 {
			t.Errorf("a URL was requested %d times", r)
		}
	}
	// Re-running the same command downloads nothing again.
	before := site.Requests()
	if code, _, stderr := runCLI(t, strings.Join(lines, "\n")+"\n", "get", "-q", "-o", out); code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, stderr)
	}
	for target, n := range site.Requests() {
		if target != "/robots.txt" && n != before[target] {
			t.Errorf("re-run requested %s again", target)
		}
	}
	// The re-run's manifest says the same: one line per URL, not one more.
	f2, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	again, _ := store.ReadManifest(f2)
	if len(again) != len(entries) {
		t.Errorf("manifest after the re-run: %d lines, want %d", len(again), len(entries))
	}
}

// TestListLength: a get counts its list when it can (arguments, a file),
// as the URLs will be read, so the progress display can say what is left.
func TestListLength(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("# images\n\nhttp://127.0.0.1/a.png\nnot a url\n127.0.0.1/b.png\n  https://127.0.0.1/c.png  \n"), 0o644)
	for _, tc := range []struct {
		name  string
		args  []string
		input string
		want  int64
	}{
		{"arguments", []string{"http://127.0.0.1/x.png", "nope", "example.com/y.png"}, "", 2},
		{"file", nil, list, 3},
		{"both", []string{"http://127.0.0.1/x.png"}, list, 4},
		{"stdin", []string{"http://127.0.0.1/x.png"}, "-", 0},
		{"missing file", nil, filepath.Join(dir, "nope.txt"), 0},
	} {
		if got := listLength(tc.args, tc.input); got != tc.want {
			t.Errorf("%s: listLength = %d, want %d", tc.name, got, tc.want)
		}
	}
}
