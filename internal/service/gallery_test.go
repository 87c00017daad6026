package service

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGalleryPages: the gallery pages through the saved images newest
// first, whatever the page, with the ring that keeps only what a page needs.
func TestGalleryPages(t *testing.T) {
	out := t.TempDir()
	var b strings.Builder
	const n = 130
	for i := range n {
		status := "saved"
		if i%10 == 3 {
			status = "duplicate"
		}
		fmt.Fprintf(&b, `{"url":"http://h/%d.png","path":"%d.png","bytes":%d,"content_type":"image/png","status":%q}`+"\n", i, i, i, status)
	}
	b.WriteString(`{"url":"torn`)
	os.WriteFile(filepath.Join(out, "manifest.jsonl"), []byte(b.String()), 0o644)
	var want []string
	for i := n - 1; i >= 0; i-- {
		if i%10 != 3 {
			want = append(want, fmt.Sprintf("%d.png", i))
		}
	}
	var got []string
	for page := 1; ; page++ {
		g, err := readGallery(out, galleryFilter{}, page)
		if err != nil || g.Total != len(want) || g.Page != page {
			t.Fatalf("page %d: %+v %v", page, g, err)
		}
		for _, e := range g.Images {
			got = append(got, e.Path)
		}
		if page >= g.Pages {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages give\n%v\nwant\n%v", got, want)
	}
	g, _ := readGallery(out, galleryFilter{minSize: 100}, 1)
	if g.Total != 27 || g.Images[0].Path != "129.png" {
		t.Errorf("min-size 100: %d images, first %v", g.Total, g.Images[0].Path)
	}
}
