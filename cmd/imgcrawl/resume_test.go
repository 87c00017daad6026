package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the imgcrawl command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "imgcrawl-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "imgcrawl")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binPath
}

func slowSite(t *testing.T) (*testsite.Site, string) {
	t.Helper()
	opt := testsite.DefaultOptions()
	opt.Latency = 15 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	t.Cleanup(stop)
	return site, base
}

// savedShas returns the SHA-256 of every file under a final name in out.
func savedShas(t *testing.T, out string) map[string]string {
	t.Helper()
	files, err := testsite.SavedImages(out)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func checkComplete(t *testing.T, site *testsite.Site, depth int, out string) {
	t.Helper()
	want := map[string]bool{}
	for _, e := range site.Expected(depth) {
		want[e.SHA256] = true
	}
	got := map[string]bool{}
	for path, sha := range savedShas(t, out) {
		if !want[sha] {
			t.Errorf("%s: not an expected image (partial or wrong)", path)
		}
		if got[sha] {
			t.Errorf("%s: content saved twice", path)
		}
		got[sha] = true
	}
	for sha := range want {
		if !got[sha] {
			t.Errorf("expected image %s missing", sha[:12])
		}
	}
	tmp, _ := filepath.Glob(filepath.Join(out, store.PrivateDir, "tmp", "*"))
	if len(tmp) > 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

// savedURLs returns the image URLs the manifest says were saved.
func savedURLs(t *testing.T, out string) []string {
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		return nil
	}
	defer f.Close()
	entries, _ := store.ReadManifest(f)
	var urls []string
	for _, e := range entries {
		if e.Status == "saved" || e.Status == "duplicate" {
			urls = append(urls, e.URL)
		}
	}
	return urls
}

func TestKill9AndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run("seed"+string(rune('0'+seed)), func(t *testing.T) {
			site, base := slowSite(t)
			out := t.TempDir()
			args := []string{"crawl", "-q", "-d", "3", "-c", "2", "-o", out, base + "/"}
			rng := rand.New(rand.NewPCG(seed, 42))
			cmd := exec.Command(bin, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			// Files under final names are complete even now.
			want := map[string]bool{}
			for _, e := range site.Expected(3) {
				want[e.SHA256] = true
			}
			for path, sha := range savedShas(t, out) {
				if !want[sha] {
					t.Errorf("after kill -9, %s is not a complete image", path)
				}
			}
			before := savedURLs(t, out)
			counts := site.Requests()
			var stderr bytes.Buffer
			cmd = exec.Command(bin, args...)
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("re-run: %v\n%s", err, stderr.String())
			}
			checkComplete(t, site, 3, out)
			checkRecord(t, bin, out)
			after := site.Requests()
			for _, u := range before {
				target := testsite.NormalizeTarget(strings.TrimPrefix(u, base))
				if after[target] != counts[target] {
					t.Errorf("%s was complete before the kill but requested again (%d -> %d)", target, counts[target], after[target])
				}
			}
		})
	}
}

func TestSIGINTExits130AndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	site, base := slowSite(t)
	out := t.TempDir()
	args := []string{"crawl", "-d", "3", "-c", "2", "-o", out, base + "/"}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Signal once the crawl is under way (its handler is installed before
	// the first request), not after a fixed time a loaded machine may not
	// reach: a SIGINT before the handler kills the process outright.
	for deadline := time.Now().Add(30 * time.Second); len(site.Requests()) < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the crawl made no requests within 30s\n%s", stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitCanceled {
			t.Fatalf("exit after SIGINT: %v, want code 130\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 10s of SIGINT")
	}
	if !strings.Contains(stderr.String(), "done:") {
		t.Errorf("no summary after SIGINT:\n%s", stderr.String())
	}
	tmp, _ := filepath.Glob(filepath.Join(out, store.PrivateDir, "tmp", "*"))
	if len(tmp) > 0 {
		t.Errorf("temp files left after SIGINT: %v", tmp)
	}
	status, err := exec.Command(bin, "status", "-o", out).Output()
	if err != nil || !strings.Contains(string(status), "unfinished") {
		t.Errorf("status after SIGINT: %v\n%s", err, status)
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	checkComplete(t, site, 3, out)
	status, err = exec.Command(bin, "status", "-o", out).Output()
	if err != nil || !strings.Contains(string(status), "finished") || strings.Contains(string(status), "unfinished") {
		t.Errorf("status after completion: %v\n%s", err, status)
	}
}

func TestStoredCrawlRefusesOtherSeedsUntilFresh(t *testing.T) {
	_, base := slowSite(t)
	out := t.TempDir()
	if code, _, stderr := runCLI(t, "", "crawl", "-q", "-d", "0", "-o", out, base+"/"); code != 0 {
		t.Fatalf("first crawl: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCLI(t, "", "crawl", "-q", "-d", "0", "-o", out, base+"/p/1.html")
	if code != exitUsage || !strings.Contains(stderr, "seeds") || !strings.Contains(stderr, "--fresh") {
		t.Fatalf("other seeds: exit %d, want 2 with what differs and --fresh:\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "", "crawl", "-q", "-d", "0", "--fresh", "-o", out, base+"/p/1.html")
	if code != 0 || !strings.Contains(stderr, "discarding") {
		t.Fatalf("--fresh: exit %d\n%s", code, stderr)
	}
}
