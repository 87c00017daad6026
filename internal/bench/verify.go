package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/imgcrawl/imgcrawl/store"
)

// savedContents returns the hex SHA-256 of every image file under out
// (imgcrawl's private folder and the manifest left out) with how many files
// hold it, and the total bytes of those files. With hash false it only
// counts files and bytes, and the map is nil.
func savedContents(out string, hash bool) (sums map[string]int, files int, size int64, err error) {
	if hash {
		sums = map[string]int{}
	}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if d.IsDir() {
			if rel == store.PrivateDir {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == "manifest.jsonl" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		if !hash {
			return nil
		}
		sum, err := fileSum(p)
		if err != nil {
			return err
		}
		sums[sum]++
		return nil
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("bench: read saved images: %w", err)
	}
	return sums, files, size, nil
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// compareContents returns a problem description for every difference
// between the contents saved and the contents wanted; none means a match.
func compareContents(got map[string]int, want map[string]bool) []string {
	var missing, extra, doubled int
	for sum := range want {
		if got[sum] == 0 {
			missing++
		}
	}
	for sum, n := range got {
		if !want[sum] {
			extra++
		}
		if n > 1 {
			doubled++
		}
	}
	var problems []string
	if missing > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d expected images not saved", missing, len(want)))
	}
	if extra > 0 {
		problems = append(problems, fmt.Sprintf("%d saved contents not expected", extra))
	}
	if doubled > 0 {
		problems = append(problems, fmt.Sprintf("%d contents saved more than once", doubled))
	}
	return problems
}

// repeated returns a problem description if any request was made more than
// once, naming a few of them. /robots.txt may be fetched once per crawler
// process (procs times).
func repeated(counts map[string]int, procs int) []string {
	var twice []string
	for k, n := range counts {
		if n > 1 && !(strings.HasSuffix(k, " /robots.txt") && n <= procs) {
			twice = append(twice, fmt.Sprintf("%s (x%d)", k, n))
		}
	}
	if len(twice) == 0 {
		return nil
	}
	slices.Sort(twice)
	shown := twice[:min(3, len(twice))]
	return []string{fmt.Sprintf("%d URLs requested more than once, e.g. %v", len(twice), shown)}
}
