package crawler

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// TestValidateRejectsWhatNewRejects checks each field rule through both
// doors: Validate, which prepares nothing (not even OUT), and New.
func TestValidateRejectsWhatNewRejects(t *testing.T) {
	seed := []string{"http://127.0.0.1/"}
	for _, tc := range []struct {
		field string
		cfg   Config
	}{
		{"depth", Config{Depth: -2}},
		{"concurrency", Config{Concurrency: -1}},
		{"per-host", Config{PerHost: -2}},
		{"rate", Config{Rate: -1}},
		{"host-rate", Config{HostRate: -0.5}},
		{"retries", Config{Retries: -2}},
		{"min-width", Config{MinWidth: -1}},
		{"min-height", Config{MinHeight: -1}},
		{"scope", Config{Scope: "planet"}},
		{"include", Config{Include: []string{"("}}},
		{"layout", Config{Layout: "tree"}},
		{"srcset", Config{Srcset: "biggest"}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			tc.cfg.Out = out
			var ce *ConfigError
			if err := tc.cfg.Validate(); !errors.As(err, &ce) || ce.Field != tc.field {
				t.Errorf("Validate = %v, want a ConfigError for %s", err, tc.field)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("Validate created %s", out)
			}
			tc.cfg.Seeds = seed
			if _, err := New(tc.cfg); !errors.As(err, &ce) || ce.Field != tc.field {
				t.Errorf("New = %v, want a ConfigError for %s", err, tc.field)
			}
		})
	}
	// Seeds may come later (from a stored crawl's Settings): only New asks.
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("Validate of the zero Config = %v, want nil", err)
	}
}

// TestRetriesZeroValueMeansDefault: a page that always answers 503 is asked
// 1+DefaultRetries times with Retries unset, as the CLI asks it, and once
// with NoRetries.
func TestRetriesZeroValueMeansDefault(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retries  int
		requests int32
	}{
		{"zero value", 0, 1 + DefaultRetries},
		{"NoRetries", NoRetries, 1},
		{"two", 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := chainSite(1, "", func(w http.ResponseWriter, r *http.Request) bool {
				hits.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			})
			defer srv.Close()
			sum := runOnce(t, Config{Depth: SeedsOnly, Seeds: []string{srv.URL + "/p/0"}, Out: t.TempDir(), Manifest: "-",
				Retries: tc.retries})
			if hits.Load() != tc.requests || sum.Failed != 1 {
				t.Errorf("%d requests, %d failed; want %d requests, 1 failed", hits.Load(), sum.Failed, tc.requests)
			}
		})
	}
}

// TestDepthZeroValueMeansDefault: on a chain of pages, the zero Depth reads
// the seed and DefaultDepth levels of links, as the CLI does; SeedsOnly the
// seed alone.
func TestDepthZeroValueMeansDefault(t *testing.T) {
	srv := chainSite(20, "", nil)
	defer srv.Close()
	for _, tc := range []struct {
		name  string
		depth int
		pages int64
	}{
		{"zero value", 0, 1 + 2*DefaultDepth}, // each page links to the next two
		{"SeedsOnly", SeedsOnly, 1},
		{"one", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum := runOnce(t, Config{Seeds: []string{srv.URL + "/p/0"}, Depth: tc.depth, Out: t.TempDir(), Manifest: "-"})
			if sum.Pages != tc.pages {
				t.Errorf("%d pages parsed, want %d", sum.Pages, tc.pages)
			}
		})
	}
}

// TestStoredSeedsOnlyCrawlResumes: a crawl of the seeds alone stores depth 0;
// Settings.Apply gives it back as SeedsOnly, not as the default depth, so a
// process joining it matches it.
func TestStoredSeedsOnlyCrawlResumes(t *testing.T) {
	srv := chainSite(5, "", nil)
	defer srv.Close()
	st := state.NewMemory()
	defer st.Close()
	out := t.TempDir()
	runOnce(t, Config{Seeds: []string{srv.URL + "/p/0"}, Depth: SeedsOnly, Out: out, Manifest: "-", State: st})
	s, ok, err := LoadSettings(context.Background(), st)
	if err != nil || !ok || s.Depth != 0 {
		t.Fatalf("LoadSettings = %+v, %v, %v; want depth 0", s, ok, err)
	}
	joined := Config{Out: out, Manifest: "-", State: st}
	s.Apply(&joined)
	if joined.Depth != SeedsOnly {
		t.Fatalf("Apply set Depth %d, want SeedsOnly", joined.Depth)
	}
	sum := runOnce(t, joined)
	if !sum.Resumed {
		t.Error("the joined crawl did not resume the stored one")
	}
}
