package main

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// redisTestImages returns the SHA-256 of every image saved under out, by
// path.
func redisTestImages(t *testing.T, out string) map[string]string {
	t.Helper()
	rel, err := testsite.SavedImages(out)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for p, sum := range rel {
		files[filepath.Join(out, filepath.FromSlash(p))] = sum
	}
	return files
}

func TestRedisFlagErrors(t *testing.T) {
	addr := redistest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	rurl := "redis://" + addr + "/0"
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not a redis URL", []string{"crawl", "-o", dir, "--redis", "http://h/", "http://127.0.0.1/"}, exitUsage, "--redis"},
		{"with --state", []string{"crawl", "-o", dir, "--redis", rurl, "--state", "x.db", "http://127.0.0.1/"}, exitUsage, "--state"},
		{"with --fresh", []string{"crawl", "-o", dir, "--redis", rurl, "--fresh", "http://127.0.0.1/"}, exitUsage, "--fresh"},
		{"join without a job name", []string{"crawl", "-o", dir, "--redis", rurl}, exitUsage, "--job"},
		{"join a job never started", []string{"crawl", "-o", dir, "--redis", rurl, "--job", "nope"}, exitUsage, "has not been started"},
		{"bad job name", []string{"crawl", "-o", dir, "--redis", rurl, "--job", "a b", "http://127.0.0.1/"}, exitFatal, "job name"},
		{"get without a job name", []string{"get", "-o", dir, "--redis", rurl, "http://127.0.0.1/a.png"}, exitUsage, "--job"},
		{"status without a job name", []string{"status", "--redis", rurl}, exitUsage, "--job"},
		{"status of an unknown job", []string{"status", "--redis", rurl, "--job", "nope"}, exitFatal, "no shared crawl nope"},
		{"redis unreachable", []string{"crawl", "-o", dir, "--redis", "redis://" + down + "/0", "http://127.0.0.1/"}, exitFatal,
			"redis: cannot reach redis at " + down},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr)
			}
		})
	}
}

func TestRedisCrawlJoinAndStatus(t *testing.T) {
	addr := redistest.Start(t)
	rurl := "redis://" + addr + "/0"
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	dir := t.TempDir()
	want := map[string]bool{}
	for _, e := range site.Expected(2) {
		want[e.SHA256] = true
	}

	code, _, stderr := runCLI(t, "", "crawl", "-d", "2", "-o", filepath.Join(dir, "a"), "--redis", rurl, "--job", "site", base+"/")
	if code != 0 {
		t.Fatalf("first worker: exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "shared crawl site") {
		t.Errorf("the job is not named on stderr:\n%s", stderr)
	}
	got := map[string]bool{}
	for _, sha := range redisTestImages(t, filepath.Join(dir, "a")) {
		got[sha] = true
	}
	if len(got) != len(want) {
		t.Errorf("saved %d distinct images, want %d", len(got), len(want))
	}

	steps := []struct {
		name string
		args []string
		code int
		out  string // expected in stdout
		err  string // expected in stderr
	}{
		{"status", []string{"status", "--redis", rurl, "--job", "site"}, 0,
			fmt.Sprintf("%d saved, 0 duplicates", len(want)), ""},
		{"join a finished job without URLs", []string{"crawl", "-q", "-o", filepath.Join(dir, "b"), "--redis", rurl, "--job", "site"}, 0,
			"", "already complete: the stored crawl holds pages"},
		{"conflicting settings", []string{"crawl", "-q", "-d", "3", "-o", filepath.Join(dir, "c"), "--redis", rurl, "--job", "site", base + "/"}, exitUsage,
			"", "depth: stored 2, now 3"},
		{"default job name from the seeds", []string{"crawl", "-d", "0", "-o", filepath.Join(dir, "d"), "--redis", rurl, base + "/"}, 0,
			"", "shared crawl job-"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", st.args...)
			if code != st.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, st.code, stderr)
			}
			if !strings.Contains(stdout, st.out) {
				t.Errorf("stdout does not say %q:\n%s", st.out, stdout)
			}
			if !strings.Contains(stderr, st.err) {
				t.Errorf("stderr does not say %q:\n%s", st.err, stderr)
			}
		})
	}
}

// TestRedisMismatchNamesTheWayOut: a shared crawl started with other
// settings is refused with a hint that fits it (--fresh does not apply).
func TestRedisMismatchNamesTheWayOut(t *testing.T) {
	rurl := "redis://" + redistest.Start(t) + "/0"
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	dir := t.TempDir()
	args := []string{"crawl", "-q", "-o", filepath.Join(dir, "a"), "--redis", rurl, "--job", "hint", base + "/"}
	if code, _, stderr := runCLI(t, "", append(args, "-d", "0")...); code != 0 {
		t.Fatalf("first worker: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCLI(t, "", append(args, "-d", "1")...)
	if code != exitUsage || !strings.Contains(stderr, "depth: stored 0, now 1") ||
		!strings.Contains(stderr, "another --job") || strings.Contains(stderr, "--fresh") {
		t.Errorf("other depth: exit %d, want %d naming the depth and --job, not --fresh:\n%s", code, exitUsage, stderr)
	}
}
