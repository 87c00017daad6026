package service

import (
	"net"
	"os"
	"testing"

	browser "github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestRenderAutoJob runs a crawl job with render auto over pages whose
// images only scripts make: the job saves them, as imgcrawl crawl --render
// does.
func TestRenderAutoJob(t *testing.T) {
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
	defer stop()
	h := newHarness(t, Config{})
	id := h.create(map[string]any{"kind": "crawl", "urls": []string{base + "/"},
		"options": map[string]any{"depth": 1, "render": "auto"}})
	st := h.waitState(id, Done)
	want := int64(len(testsite.ScriptedImages()))
	if st.Crawl == nil || st.Crawl.Counts.Saved != want {
		t.Errorf("status: saved %+v, run %+v, want %d images", st.Crawl, st.Run, want)
	}
}
