package crawler

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// TestSettingsAreStoredLoadedAndApplied runs a crawl on a state, reads its
// settings back with LoadSettings, checks the stored JSON (a file format),
// and continues the crawl from a Config that only Settings.Apply filled in.
func TestSettingsAreStoredLoadedAndApplied(t *testing.T) {
	srv := chainSite(2, "", nil)
	defer srv.Close()
	st := state.NewMemory()
	defer st.Close()
	out := t.TempDir()
	cfg := Config{Retries: NoRetries, Seeds: []string{srv.URL + "/p/1", srv.URL + "/p/0"}, Depth: 1, Scope: ScopeAll,
		Include: []string{"/p/"}, Exclude: []string{"nomatch"}, Layout: store.LayoutHash,
		Out: out, Manifest: "-", State: st}
	runOnce(t, cfg)

	raw, _, err := st.LoadMeta(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := LoadSettings(context.Background(), st)
	if !regexp.MustCompile(`^\d{8}T\d{6}Z-[0-9a-f]{8}$`).MatchString(got.CrawlID) {
		t.Errorf("crawl id %q, want the start time and 8 hex digits", got.CrawlID)
	}
	wantJSON := `{"mode":"crawl","seeds":["` + srv.URL + `/p/0","` + srv.URL + `/p/1"],"depth":1,"scope":"all",` +
		`"include":["/p/"],"exclude":["nomatch"],"layout":"hash","crawl_id":"` + got.CrawlID + `"}`
	if string(raw) != wantJSON {
		t.Errorf("stored settings\n%s\nwant\n%s", raw, wantJSON)
	}
	want := Settings{Mode: ModeCrawl, Seeds: []string{srv.URL + "/p/0", srv.URL + "/p/1"}, Depth: 1,
		Scope: ScopeAll, Include: []string{"/p/"}, Exclude: []string{"nomatch"}, Layout: store.LayoutHash,
		CrawlID: got.CrawlID}
	if err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("LoadSettings = %+v, %v, %v; want %+v", got, ok, err, want)
	}

	joined := Config{Depth: SeedsOnly, Retries: NoRetries, Out: out, Manifest: "-", State: st}
	got.Apply(&joined)
	runOnce(t, joined)

	other := joined
	other.Depth = 2
	c, err := New(other)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background())
	var me *MismatchError
	if !errors.As(err, &me) || len(me.Diffs) != 1 || me.Diffs[0] != "depth: stored 1, now 2" {
		t.Fatalf("Run with another depth = %v, want a MismatchError on depth alone", err)
	}
	if strings.Contains(err.Error(), "--") {
		t.Errorf("the library's error names a CLI flag: %v", err)
	}
}

func TestLoadSettingsOfNoCrawlAGetAndGarbage(t *testing.T) {
	ctx := context.Background()
	st := state.NewMemory()
	defer st.Close()
	if s, ok, err := LoadSettings(ctx, st); ok || err != nil || !reflect.DeepEqual(s, Settings{}) {
		t.Fatalf("LoadSettings of a new state = %+v, %v, %v; want nothing", s, ok, err)
	}
	urls := make(chan string)
	close(urls)
	runOnce(t, Config{Depth: SeedsOnly, Retries: NoRetries, Images: urls, Layout: store.LayoutFlat, Out: t.TempDir(), Manifest: "-", State: st})
	s, ok, err := LoadSettings(ctx, st)
	if want := (Settings{Mode: ModeGet, Layout: store.LayoutFlat, CrawlID: s.CrawlID}); err != nil || s.CrawlID == "" || !ok || !reflect.DeepEqual(s, want) {
		t.Fatalf("LoadSettings after a get = %+v, %v, %v; want %+v", s, ok, err, want)
	}
	var cfg Config
	s.Apply(&cfg)
	if cfg.Seeds != nil || cfg.Layout != store.LayoutFlat {
		t.Errorf("a get's settings applied: %+v, want the layout alone", cfg)
	}

	bad := state.NewMemory()
	defer bad.Close()
	if err := bad.SaveMeta(ctx, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadSettings(ctx, bad); err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Errorf("LoadSettings of garbage = %v, want an error saying so", err)
	}
}

// runOnce makes a crawler of cfg and runs it to the end.
func runOnce(t *testing.T, cfg Config) Summary {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
