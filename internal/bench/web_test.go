package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWebCounts checks how the web workload reads its two sides: the URL
// paths imgcrawl's manifest says were saved (duplicates too, failures not),
// and the pages and image paths of wget's tree (host folder dropped).
func TestWebCounts(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "manifest.jsonl")
	lines := `{"url":"http://127.0.0.1:9/doc/a.png","status":"saved"}
{"url":"http://127.0.0.1:9/doc/b.gif?x=1","status":"duplicate"}
{"url":"http://127.0.0.1:9/doc/c.png","status":"failed","error":"404"}
not json
{"url":"http://127.0.0.1:9/doc/d.svg","status":"skipped"}
`
	if err := os.WriteFile(manifest, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	saved, err := webSaved(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 2 || !saved["/doc/a.png"] || !saved["/doc/b.gif"] {
		t.Errorf("webSaved = %v, want /doc/a.png and /doc/b.gif", saved)
	}

	tree := filepath.Join(dir, "wget")
	for name, body := range map[string]string{
		"127.0.0.1:9/doc/index.html":   "<p>",
		"127.0.0.1:9/doc/sub/x.HTM":    "<p>",
		"127.0.0.1:9/doc/a.png":        "png",
		"127.0.0.1:9/doc/img/logo.SVG": "svg",
		"127.0.0.1:9/doc/style.css":    "css",
	} {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages, images, bytes, err := webWgetTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(images)
	if pages != 2 || !slices.Equal(images, []string{"/doc/a.png", "/doc/img/logo.SVG"}) || bytes != 15 {
		t.Errorf("webWgetTree = %d pages, images %v, %d bytes; want 2, [/doc/a.png /doc/img/logo.SVG], 15", pages, images, bytes)
	}
}
