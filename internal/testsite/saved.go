package testsite

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// SavedImages returns the hex SHA-256 of every file a crawl saved under out,
// keyed by its slash-separated path relative to out. imgcrawl's private
// folder (.imgcrawl) and manifest.jsonl (with the .prev a new crawl keeps) are left out. Tests and benchmarks
// compare the result with Expected.
func SavedImages(out string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if d.IsDir() {
			if rel == ".imgcrawl" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == "manifest.jsonl" || rel == "manifest.jsonl.prev" {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return files, err
}
