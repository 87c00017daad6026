package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestCrawlListen: crawl --listen serves the crawl's status and /metrics
// while it runs, refuses to start jobs, and stops with the crawl; a
// non-loopback address without --token is a usage error.
func TestCrawlListen(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	_, base := slowSite(t)
	cmd := exec.Command(bin, "crawl", "-q", "-d", "3", "-c", "2", "--listen", "127.0.0.1:0", "-o", t.TempDir(), base+"/")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	view := ""
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "watch this crawl on "); ok {
			view = strings.TrimSuffix(rest, "/jobs/run")
			break
		}
	}
	if view == "" {
		t.Fatal("crawl --listen did not say where it listens")
	}
	go io.Copy(io.Discard, stderr)
	get := func(path string) (int, string) {
		resp, err := http.Get(view + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/api/jobs/run"); code != 200 || !strings.Contains(body, `"state": "running"`) {
		t.Errorf("status: %d %s", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "imgcrawl_http_requests_total") {
		t.Errorf("metrics: %d", code)
	}
	if code, _ := get("/jobs/run"); code != 200 {
		t.Errorf("job page: %d", code)
	}
	resp, err := http.Post(view+"/api/jobs", "application/json", strings.NewReader(`{"kind":"get","urls":["http://127.0.0.1:1/a.png"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/jobs on a single crawl: %d", resp.StatusCode)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	http.DefaultClient.CloseIdleConnections()

	out, err := exec.Command(bin, "crawl", "--listen", "0.0.0.0:0", "-o", t.TempDir(), base+"/").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "--token") {
		t.Errorf("--listen 0.0.0.0 without --token: %v\n%s", err, out)
	}
}
