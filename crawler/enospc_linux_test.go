package crawler

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
	"golang.org/x/sys/unix"
)

// TestDiskFullStopsCleanly fills a real 512 KiB tmpfs: the crawl must stop
// with an error naming the path, leave no temp file, and record as saved
// only files that are complete.
func TestDiskFullStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=512k"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); needs root", err)
	}
	defer unix.Unmount(dir, 0)
	opt := testsite.DefaultOptions()
	opt.ImageBytes = 48 << 10
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	out := filepath.Join(dir, "out")
	manifest := filepath.Join(t.TempDir(), "manifest.jsonl") // on a disk with room
	c, err := New(Config{Retries: NoRetries, Seeds: []string{base + "/"}, Depth: 3, Out: out, Manifest: manifest, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background())
	var we *store.WriteError
	if !errors.As(err, &we) || !errors.Is(err, unix.ENOSPC) {
		t.Fatalf("Run on a full disk = %v, want a *store.WriteError with ENOSPC", err)
	}
	if !strings.HasPrefix(we.Path, dir) {
		t.Errorf("error names %q, not a path under OUT", we.Path)
	}
	if tmp := tempFiles(t, out); len(tmp) > 0 {
		t.Errorf("temp files left: %v", tmp)
	}
	valid := map[string]bool{}
	for _, e := range site.Expected(3) {
		valid[e.SHA256] = true
	}
	files := savedFiles(t, out)
	for path, sha := range files {
		if !valid[sha] {
			t.Errorf("%s is not a complete image", path)
		}
	}
	f, err := os.Open(manifest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, _ := store.ReadManifest(f)
	for _, e := range entries {
		if e.Status == "saved" && files[e.Path] != e.SHA256 {
			t.Errorf("manifest says %s saved, but the file is missing or different", e.Path)
		}
	}
}
