package service

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"

	browser "github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store/index"
)

// TestRenderJob: a crawl job with {"render":"on"} saves the images that a
// script inserts, which a plain crawl of the page never sees.
func TestRenderJob(t *testing.T) {
	if _, err := browser.FindBrowser(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %v", err)
		}
		t.Skip(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, stop := testsite.Serve(ln, &testsite.Scripted{})
	t.Cleanup(stop)
	h := newHarness(t, Config{ManagerConfig: ManagerConfig{Gate: gate(4)}})
	saved := func(opts map[string]any) []string {
		id := h.create(map[string]any{"kind": "crawl", "urls": []string{base + "/inserted.html"}, "options": opts})
		if st := h.waitState(id, Done); st.Error != "" {
			t.Fatalf("job %s: %s", id, st.Error)
		}
		var names []string
		filepath.WalkDir(filepath.Join(h.data, "jobs", id), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".png" {
				names = append(names, d.Name())
			}
			return nil
		})
		return names
	}
	if got := saved(map[string]any{"depth": 0}); len(got) != 0 {
		t.Fatalf("without render: saved %v, want nothing (the images exist only once the script ran)", got)
	}
	got := saved(map[string]any{"depth": 0, "render": "on", "render-tabs": 1})
	found := false
	for _, n := range got {
		found = found || n == "inserted-1.png"
	}
	if !found {
		t.Fatalf("with render on: saved %v, want inserted-1.png among them", got)
	}
}

// TestRenderGetJob: a get job does not take render.
func TestRenderGetJob(t *testing.T) {
	h := newHarness(t, Config{})
	code, body := h.do("POST", "/api/jobs", `{"kind":"get","urls":["http://127.0.0.1/a.png"],"options":{"render":"on"}}`)
	if code != 400 || !bytes.Contains(body, []byte("render")) {
		t.Fatalf("get with render: %d %s, want 400 naming render", code, body)
	}
}

// TestIndexJob: with an index, a job's saved images are its rows.
func TestIndexJob(t *testing.T) {
	ctx := context.Background()
	ix, err := index.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() }) // after the harness's cleanup: cleanups run last first
	s, base := site(t, 0)
	h := newHarness(t, Config{ManagerConfig: ManagerConfig{Gate: gate(4), Index: ix}})
	id := h.create(map[string]any{"kind": "crawl", "urls": []string{base + "/"}, "options": map[string]any{"depth": 1}})
	st := h.waitState(id, Done)
	rows, err := ix.DB().QueryContext(ctx, `SELECT sha256 FROM images WHERE sha256 <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			t.Fatal(err)
		}
		got[sha] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := expectedShas(s, 1)
	if len(want) == 0 || st.Run.Images == 0 {
		t.Fatalf("the crawl saved nothing (%d expected)", len(want))
	}
	for sha := range want {
		if !got[sha] {
			t.Errorf("image %s saved but not in the index", sha)
		}
	}
}

// TestKnownNeedsIndex: skip-known and revalidate need serve --index.
func TestKnownNeedsIndex(t *testing.T) {
	h := newHarness(t, Config{})
	for _, opt := range []string{"skip-known", "revalidate"} {
		code, body := h.do("POST", "/api/jobs", `{"kind":"get","urls":["http://127.0.0.1/a.png"],"options":{"`+opt+`":true}}`)
		if code != 400 || !bytes.Contains(body, []byte(`"field": "`+opt+`"`)) {
			t.Errorf("%s without an index: %d %s, want 400 naming it", opt, code, body)
		}
	}
	ix, err := index.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	h = newHarness(t, Config{ManagerConfig: ManagerConfig{Index: ix}})
	h.create(`{"kind":"get","urls":["http://127.0.0.1:9/a.png"],"options":{"skip-known":true}}`)
}
