package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// startServe starts `imgcrawl serve` on a free loopback port and returns
// its base URL.
func startServe(t *testing.T, bin, data string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data", data, "--max-jobs", "1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "serving on "); ok {
			base, _, _ := strings.Cut(rest, " ")
			go io.Copy(io.Discard, stderr)
			return cmd, base
		}
	}
	t.Fatalf("serve did not say where it listens")
	return nil, ""
}

// jobStatus is the part of GET /api/jobs/ID this test reads.
type jobStatus struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Error string `json:"error"`
	Runs  int    `json:"runs"`
	Run   struct {
		Images int `json:"images"`
	} `json:"run"`
}

func getJob(t *testing.T, base, id string) jobStatus {
	t.Helper()
	resp, err := http.Get(base + "/api/jobs/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st jobStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestServeKill9Resumes kills `imgcrawl serve` with SIGKILL in the middle
// of a job and starts it again on the same --data: the job resumes and
// completes with the expected images, each saved once, and no image saved
// before the kill is requested again (counted by the site itself).
func TestServeKill9Resumes(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	site, siteBase := slowSite(t)
	data := t.TempDir()
	cmd, base := startServe(t, bin, data)
	body := fmt.Sprintf(`{"kind":"crawl","urls":[%q],"options":{"depth":3,"concurrency":1}}`, siteBase+"/")
	resp, err := http.Post(base+"/api/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var st jobStatus
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/jobs: %d", resp.StatusCode)
	}
	id := st.ID
	// Kill once the manifest (written after the state acknowledged,
	// flushed every second) has some images.
	out := filepath.Join(data, "jobs", id, "out")
	for deadline := time.Now().Add(20 * time.Second); len(savedURLs(t, out)) < 5; {
		if time.Now().After(deadline) {
			t.Fatalf("no images in the manifest within 20s: %+v", getJob(t, base, id))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	http.DefaultClient.CloseIdleConnections()

	rec, _ := os.ReadFile(filepath.Join(data, "jobs", id, "job.json"))
	if !strings.Contains(string(rec), `"state": "running"`) {
		t.Fatalf("job.json after kill -9:\n%s", rec)
	}
	before := savedURLs(t, out)
	counts := site.Requests()

	_, base = startServe(t, bin, data)
	for deadline := time.Now().Add(60 * time.Second); ; {
		st = getJob(t, base, id)
		if st.State == "done" {
			break
		}
		if st.State == "failed" || time.Now().After(deadline) {
			t.Fatalf("job after restart: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.Runs != 2 {
		t.Errorf("runs %d, want 2", st.Runs)
	}
	checkComplete(t, site, 3, out)
	checkRecord(t, bin, out)
	after := site.Requests()
	if len(before) == 0 {
		t.Fatal("nothing was saved before the kill")
	}
	for _, u := range before {
		target := testsite.NormalizeTarget(strings.TrimPrefix(u, siteBase))
		if after[target] != counts[target] {
			t.Errorf("%s was saved before the kill but requested again (%d -> %d)", target, counts[target], after[target])
		}
	}
	for target, n := range after {
		if strings.HasPrefix(target, "/i/") && n > 2 {
			t.Errorf("%s requested %d times", target, n)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}
