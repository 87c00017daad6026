package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/sqltest"
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
