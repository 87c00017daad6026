package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/sqltest"
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
