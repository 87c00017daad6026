package index_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// TestImport: a manifest's lines become rows, the last line of a URL wins,
// torn lines are skipped, and a second import changes nothing.
func TestImport(t *testing.T) {
	ix := open(t, "sqlite:"+filepath.Join(t.TempDir(), "i.db"))
	manifest := `{"url":"http://h/a.png","page":"http://h/","depth":1,"path":"h/a.png","sha256":"aa","bytes":3,"status":"failed","error":"x"}
{"url":"http://h/b.png","page":"http://h/","depth":1,"path":"h/a.png","sha256":"aa","bytes":3,"status":"duplicate"}
{"url":"http://h/a.png","page":"http://h/","depth":1,"path":"h/a.png","sha256":"aa","bytes":3,"status":"saved","fetched_at":"2026-12-01T10:00:00Z","etag":"\"e\""}
{"url":"http://h/c.png","pa
not json
`
	for range 2 {
		n, err := ix.Import(context.Background(), "imp", "/out", strings.NewReader(manifest))
		if err != nil || n != 3 {
			t.Fatalf("Import = %d, %v; want 3 lines", n, err)
		}
	}
	got, err := ix.Images(context.Background(), "imp")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d rows, want 2: %+v", len(got), got)
	}
	for _, im := range got {
		if im.URL == "http://h/a.png" && (im.Status != state.Saved || im.ETag != `"e"` || im.OutDir != "/out" || im.FetchedAt.IsZero()) {
			t.Errorf("a.png row %+v, want the last line's", im)
		}
	}
}
