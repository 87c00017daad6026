package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzOpenInside: whatever path a request names, openInside opens only a
// regular file inside the folder, never one in a dot folder, and never the
// file outside it.
func FuzzOpenInside(f *testing.F) {
	parent := f.TempDir()
	dir := filepath.Join(parent, "out")
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	os.MkdirAll(filepath.Join(dir, ".imgcrawl"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "b", "c.png"), []byte("ok"), 0o644)
	os.WriteFile(filepath.Join(dir, ".imgcrawl", "state.db"), []byte("SECRET"), 0o644)
	os.WriteFile(filepath.Join(parent, "job.json"), []byte("SECRET"), 0o644)
	os.Symlink(filepath.Join(parent, "job.json"), filepath.Join(dir, "a", "link.png"))
	for _, s := range []string{"a/b/c.png", "../job.json", ".imgcrawl/state.db", "a/link.png", "a/../.imgcrawl/state.db",
		"a//b/c.png", "/etc/passwd", "a/b/c.png\x00", "a\\..\\..\\job.json", "./a/b/c.png"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		file, _, err := openInside(dir, rel)
		if err != nil {
			return
		}
		defer file.Close()
		buf := make([]byte, 16)
		n, _ := file.Read(buf)
		if string(buf[:n]) != "ok" {
			t.Fatalf("%q opened a file it should not: %q", rel, buf[:n])
		}
		if strings.Contains(rel, "..") || strings.HasPrefix(rel, ".") {
			t.Fatalf("%q accepted", rel)
		}
	})
}
