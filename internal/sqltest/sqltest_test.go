package sqltest

import (
	"context"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/index"
)

// TestServers starts each server, opens an index in it, and sees it come
// back after a kill and a restart with its data.
func TestServers(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *Server{"mariadb": StartMariaDB, "postgres": StartPostgres} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			ix, err := index.Open(ctx, s.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			im := index.Image{CrawlID: "c", URLKey: "k", URL: "http://x/a.png", Status: "saved"}
			if err := ix.Upsert(ctx, []index.Image{im}, nil); err != nil {
				t.Fatal(err)
			}
			s.Kill()
			if err := ix.Upsert(ctx, []index.Image{im}, nil); err == nil {
				t.Fatal("a write to a killed server succeeded")
			}
			s.Restart()
			got, err := ix.Images(ctx, "c")
			if err != nil || len(got) != 1 {
				t.Fatalf("after a restart: %v, %v; want the one row", got, err)
			}
		})
	}
}
