package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
)

// checkRecord checks that the manifest says what is on disk and what
// `imgcrawl status` says: every file under OUT has exactly one saved line,
// every duplicate line names a file that exists, no URL has two lines, and
// the status counts match the lines.
func checkRecord(t *testing.T, bin, out string) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := store.ReadManifest(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	files := savedShas(t, out)
	savedLines := map[string]int{}
	byURL := map[string]int{}
	count := map[string]int{}
	for _, e := range entries {
		byURL[e.URL]++
		count[string(e.Status)]++
		switch e.Status {
		case "saved":
			savedLines[e.Path]++
			if sha, ok := files[e.Path]; !ok || sha != e.SHA256 {
				t.Errorf("saved line for %s: file %s missing or other content", e.URL, e.Path)
			}
		case "duplicate":
			if _, ok := files[e.Path]; !ok {
				t.Errorf("duplicate line for %s names %s, which does not exist", e.URL, e.Path)
			}
		}
	}
	for path := range files {
		if savedLines[path] != 1 {
			t.Errorf("%s has %d saved lines, want 1", path, savedLines[path])
		}
	}
	for u, n := range byURL {
		if n > 1 {
			t.Errorf("%s has %d lines, want 1", u, n)
		}
	}
	var stdout bytes.Buffer
	cmd := exec.Command(bin, "status", "-o", out)
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		t.Fatalf("status: %v", err)
	}
	want := fmt.Sprintf("%d saved, %d duplicates, %d skipped, %d failed, 0 pending",
		count["saved"], count["duplicate"], count["skipped"], count["failed"])
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("status does not match the manifest (%s):\n%s", want, stdout.String())
	}
}

// killAt starts bin with args, kills it with SIGKILL after a random moment
// and returns once it is gone.
func killAt(t *testing.T, rng *rand.Rand, bin string, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// A get killed at random moments, then run again to the end: the files, the
// manifest and status agree, and nothing finished is fetched again.
func TestKill9GetAndResumeKeepsTheRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			site, base := slowSite(t)
			var list []string
			for _, im := range site.ImageList() {
				if !im.Disallowed {
					list = append(list, base+im.Path)
				}
			}
			stdin := strings.Join(list, "\n") + "\n"
			out := t.TempDir()
			args := []string{"get", "-q", "-c", "2", "-o", out}
			rng := rand.New(rand.NewPCG(seed, 7))
			killAt(t, rng, bin, stdin, args...)
			killAt(t, rng, bin, stdin, args...)
			var stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Stdin, cmd.Stderr = strings.NewReader(stdin), &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("re-run: %v\n%s", err, stderr.String())
			}
			if strings.Contains(stderr.String(), "robots.txt") {
				t.Errorf("the re-run refused listed hosts:\n%s", stderr.String())
			}
			// A kill after the get finished leaves nothing to resume.
			if !strings.Contains(stderr.String(), "resumed crawl, in all") && !strings.Contains(stderr.String(), "already complete") {
				t.Errorf("the re-run says neither that it resumed nor that it was complete:\n%s", stderr.String())
			}
			checkRecord(t, bin, out)
			// Only a request in flight at a kill is made again: at most
			// once per kill for a URL (one in flight at both kills, as on
			// a loaded machine where each run is killed early, is asked
			// three times), and at most -c 2 URLs per kill.
			repeated := 0
			for target, n := range site.Requests() {
				if target == "/robots.txt" {
					continue
				}
				if n > 3 {
					t.Errorf("%s requested %d times", target, n)
				}
				repeated += n - 1
			}
			if repeated > 2*2 {
				t.Errorf("%d repeated requests after two kills with -c 2, want at most 4", repeated)
			}
		})
	}
}
