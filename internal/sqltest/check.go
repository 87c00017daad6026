package sqltest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// CheckIndex checks that the index holds exactly one crawl, and for it
// exactly one row per image URL of the manifests under outs (one folder, or
// each worker's of a shared crawl), that says what the manifest says, and
// that every saved row's file exists with its sha256. It returns the
// crawl's id.
func CheckIndex(t testing.TB, ix *index.Index, outs ...string) string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	rows, err := ix.DB().QueryContext(ctx, "SELECT DISTINCT crawl_id FROM images")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 1 {
		t.Fatalf("index holds crawls %v, want one", ids)
	}
	CheckCrawl(t, ix, ids[0], outs...)
	return ids[0]
}

// CheckCrawl checks that the index holds exactly one row of crawl id per
// image URL of the manifests under outs, that says what the manifest says,
// and that every saved row's file exists with its sha256.
func CheckCrawl(t testing.TB, ix *index.Index, id string, outs ...string) {
	t.Helper()
	ctx := context.Background()
	want := map[string]store.Entry{}
	for _, out := range outs {
		f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		entries, err := store.ReadManifest(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			want[e.URL] = e // the last word on a URL
		}
	}
	got, err := ix.Images(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("index holds %d rows, the manifest %d image URLs", len(got), len(want))
	}
	for _, im := range got {
		e, ok := want[im.URL]
		if !ok {
			t.Errorf("row of %s: not in the manifest", im.URL)
			continue
		}
		if im.Status != e.Status || im.SHA256 != e.SHA256 || im.Path != e.Path || im.Bytes != e.Bytes {
			t.Errorf("row of %s: %s %s %s %d; the manifest says %s %s %s %d", im.URL, im.Status, im.SHA256, im.Path, im.Bytes,
				e.Status, e.SHA256, e.Path, e.Bytes)
		}
		if im.Status == state.Saved {
			if sum := fileSHA256(filepath.Join(im.OutDir, filepath.FromSlash(im.Path))); sum != im.SHA256 {
				t.Errorf("row of %s: file %s has sha256 %q, the row %s", im.URL, im.Path, sum, im.SHA256)
			}
		}
	}
}

func fileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
