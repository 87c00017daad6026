package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

// TestStatusWhileACrawlRuns runs a crawl in another process: status reports
// it live from its snapshot while the crawl holds the state file, and from
// the state file once it has ended.
func TestStatusWhileACrawlRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	_, base := slowSite(t)
	out := t.TempDir()
	crawl := exec.Command(bin, "crawl", "-q", "-d", "3", "-c", "1", "--host-rate", "25", "-o", out, base+"/")
	var crawlErr strings.Builder
	crawl.Stderr = &crawlErr
	if err := crawl.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- crawl.Wait() }()
	defer func() {
		crawl.Process.Kill()
		<-exited
	}()
	running := fmt.Sprintf("crawl:      running (pid %d, started ", crawl.Process.Pid)
	pagesDone := regexp.MustCompile(`pages:      [1-9]\d* done, \d+ pending`)
	var status string
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the crawl ended (%v) before status reported it live; last status:\n%s\ncrawl:\n%s", err, status, crawlErr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never reported the live crawl; last:\n%s", status)
		}
		b, err := exec.Command(bin, "status", "-o", out).CombinedOutput()
		status = string(b)
		if err == nil && strings.Contains(status, running) && pagesDone.MatchString(status) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{"(in use)", "live status from ", "images:", "rate:       "} {
		if !strings.Contains(status, want) {
			t.Errorf("live status lacks %q:\n%s", want, status)
		}
	}
	if err := <-exited; err != nil {
		t.Fatalf("crawl: %v\n%s", err, crawlErr.String())
	}
	exited <- nil
	b, err := exec.Command(bin, "status", "-o", out).CombinedOutput()
	if err != nil || !strings.Contains(string(b), "crawl:      finished") || strings.Contains(string(b), "in use") {
		t.Errorf("status after the crawl: %v\n%s", err, b)
	}
}

// TestStatusOfAStateHeldWithoutSnapshot: a state file another program
// holds, with no live status beside it, is reported as in use.
func TestStatusOfAStateHeldWithoutSnapshot(t *testing.T) {
	out := t.TempDir()
	b, err := bolt.Open(filepath.Join(out, ".imgcrawl", "state.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	code, _, stderr := runCLI(t, "", "status", "-o", out)
	if code != exitFatal || !strings.Contains(stderr, "in use by another imgcrawl, which writes no live status here") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}
