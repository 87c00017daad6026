package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/sqltest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/index"
)

// TestIndexKill9AndResume kills a crawl that writes an index at a random
// moment and runs it again: the index then holds exactly one row per image
// URL of the crawl, saying what the manifest says, every saved row's file
// there with its sha256, under one crawl id. On SQLite (three kill
// points), MariaDB and PostgreSQL.
func TestIndexKill9AndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	type run struct {
		db   string
		seed uint64
	}
	for _, r := range []run{{"sqlite", 1}, {"sqlite", 2}, {"sqlite", 3}, {"mariadb", 4}, {"postgres", 5}} {
		t.Run(fmt.Sprintf("%s-seed%d", r.db, r.seed), func(t *testing.T) {
			var dsn string
			switch r.db {
			case "sqlite":
				dsn = "sqlite:" + filepath.Join(t.TempDir(), "index.db")
			case "mariadb":
				dsn = sqltest.StartMariaDB(t).DSN
			case "postgres":
				dsn = sqltest.StartPostgres(t).DSN
			}
			site, base := slowSite(t)
			out := t.TempDir()
			args := []string{"crawl", "-q", "-d", "3", "-c", "2", "-o", out, "--index", dsn, base + "/"}
			rng := rand.New(rand.NewPCG(r.seed, 42))
			cmd := exec.Command(bin, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(200+rng.IntN(1000)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			var stderr bytes.Buffer
			cmd = exec.Command(bin, args...)
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("re-run: %v\n%s", err, stderr.String())
			}
			checkComplete(t, site, 3, out)
			ix, err := index.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			sqltest.CheckIndex(t, ix, out)
		})
	}
}

// TestIndexImport: the folders of earlier crawls, one with its state and
// one without, imported twice into one index: their rows, once each, and
// a crawl resumed with --index afterwards updates the same rows.
func TestIndexImport(t *testing.T) {
	_, base := slowSite(t)
	withState, noState := t.TempDir(), t.TempDir()
	for _, args := range [][]string{
		{"crawl", "-q", "-d", "1", "-o", withState, base + "/"},
		{"crawl", "-q", "-d", "0", "-o", noState, "--state", "none", base + "/"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "index.db")
	for range 2 {
		code, stdout, stderr := runCLI(t, "", "index", "import", "--index", dsn, withState, noState)
		if code != 0 || strings.Count(stdout, "images into") != 2 {
			t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	ix, err := index.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, out := range []string{withState, noState} {
		id := folderID(t, out)
		got, err := ix.Images(context.Background(), id)
		if err != nil || len(got) == 0 || len(got) != len(manifestURLs(t, out)) {
			t.Fatalf("%s: %d rows of crawl %s (%v), want one per manifest URL (%d)", out, len(got), id, err, len(manifestURLs(t, out)))
		}
	}
	var n int
	ix.DB().QueryRow("SELECT COUNT(*) FROM images").Scan(&n)
	if code, _, stderr := runCLI(t, "", "crawl", "-q", "-d", "1", "-o", withState, "--index", dsn, base+"/"); code != 0 {
		t.Fatalf("resumed crawl: exit %d\n%s", code, stderr)
	}
	var after int
	ix.DB().QueryRow("SELECT COUNT(*) FROM images").Scan(&after)
	if after != n {
		t.Errorf("the resumed crawl with --index made %d rows of %d: not the imported crawl's id", after, n)
	}
}

func folderID(t *testing.T, out string) string {
	t.Helper()
	id, err := folderCrawlID(out)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// manifestURLs returns the distinct image URLs of the manifest under out.
func manifestURLs(t *testing.T, out string) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, _ := store.ReadManifest(f)
	urls := map[string]bool{}
	for _, e := range entries {
		urls[e.URL] = true
	}
	return urls
}

// TestRedisWorkersShareOneIndex: three workers of one Redis job, started
// at once, each with the seeds, write one PostgreSQL index: one crawl id
// (the first stored), one row per image URL of the job, none doubled.
func TestRedisWorkersShareOneIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	rurl := "redis://" + redistest.Start(t) + "/0"
	dsn := sqltest.StartPostgres(t).DSN
	site, base := slowSite(t)
	outs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	errs := make(chan error, len(outs))
	for _, out := range outs {
		go func() {
			var stderr bytes.Buffer
			cmd := exec.Command(bin, "crawl", "-q", "-d", "2", "-c", "2", "-o", out, "--redis", rurl, "--job", "shared",
				"--index", dsn, base+"/")
			cmd.Stderr = &stderr
			err := cmd.Run()
			if err != nil {
				err = fmt.Errorf("%v\n%s", err, stderr.String())
			}
			errs <- err
		}()
	}
	for range outs {
		if err := <-errs; err != nil {
			t.Fatalf("worker: %v", err)
		}
	}
	ix, err := index.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	id := sqltest.CheckIndex(t, ix, outs...)
	rows, _ := ix.Images(context.Background(), id)
	saved := 0
	for _, im := range rows {
		if im.Status == "saved" {
			saved++
		}
	}
	if want := len(site.Expected(2)); saved != want {
		t.Errorf("%d saved rows, want the %d distinct images of the site", saved, want)
	}
}

// TestRedisWorkerKilledKeepsTheIndex kills one of three workers of a Redis
// job writing one index while it fetches: the others finish the job, and
// the index then holds a saved row for every image of the site, whose file
// is there, a row for every URL any manifest names, and one crawl id.
func TestRedisWorkerKilledKeepsTheIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	bin := binary(t)
	rurl := "redis://" + redistest.Start(t) + "/0"
	dsn := sqltest.StartPostgres(t).DSN
	opt := testsite.DefaultOptions()
	opt.Latency = 20 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	const depth = 3
	victim := "imgcrawl/1.0 (worker 0)"
	var (
		mu       sync.Mutex
		seen     int
		killOnce sync.Once
		proc     atomic.Pointer[os.Process]
		killed   = make(chan struct{})
	)
	killAt := 5 + int(rand.N(uint(10)))
	site.OnRequest(func(r *http.Request) {
		if r.UserAgent() != victim {
			return
		}
		mu.Lock()
		seen++
		n := seen
		mu.Unlock()
		if n >= killAt {
			killOnce.Do(func() { proc.Load().Kill(); close(killed) })
		}
	})
	outs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	done := make([]chan error, len(outs))
	var stderrs [3]bytes.Buffer
	for i, out := range outs {
		cmd := exec.Command(bin, "crawl", "-q", "-d", fmt.Sprint(depth), "-c", "2", "-o", out,
			"--user-agent", fmt.Sprintf("imgcrawl/1.0 (worker %d)", i),
			"--redis", rurl, "--job", "killidx", "--redis-lease", "3s", "--index", dsn, base+"/")
		cmd.Stderr = &stderrs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			proc.Store(cmd.Process)
		}
		done[i] = make(chan error, 1)
		go func() { done[i] <- cmd.Wait() }()
		defer cmd.Process.Kill()
	}
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatal("worker 0 was never killed")
	}
	<-done[0]
	for i := 1; i < len(outs); i++ {
		select {
		case err := <-done[i]:
			if err != nil {
				t.Fatalf("worker %d: %v\n%s", i, err, stderrs[i].String())
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("worker %d did not finish", i)
		}
	}
	ix, err := index.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var ids []string
	rs, err := ix.DB().Query("SELECT DISTINCT crawl_id FROM images")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var id string
		rs.Scan(&id)
		ids = append(ids, id)
	}
	rs.Close()
	if len(ids) != 1 {
		t.Fatalf("crawl ids %v, want one", ids)
	}
	rows, err := ix.Images(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]index.Image{}
	savedSums := map[string]bool{}
	for _, im := range rows {
		byURL[im.URL] = im
		if im.Status == "saved" {
			savedSums[im.SHA256] = true
		}
	}
	for _, e := range site.Expected(depth) {
		if !savedSums[e.SHA256] {
			t.Errorf("image %s (%s): no saved row", e.SHA256[:12], e.Paths[0])
		}
	}
	for _, out := range outs {
		for u := range manifestURLs(t, out) {
			if _, ok := byURL[u]; !ok {
				t.Errorf("%s: in the manifest of %s, not in the index", u, out)
			}
		}
	}
}
