package crawler

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// TestValidateRejectsWhatNewRejects checks each field rule through both
// doors: Validate, which prepares nothing (not even OUT), and New.
func TestValidateRejectsWhatNewRejects(t *testing.T) {
	seed := []string{"http://127.0.0.1/"}
	for _, tc := range []struct {
		field string
		cfg   Config
	}{
		{"depth", Config{Depth: -1}},
		{"concurrency", Config{Concurrency: -1}},
		{"per-host", Config{PerHost: -2}},
		{"rate", Config{Rate: -1}},
		{"host-rate", Config{HostRate: -0.5}},
		{"retries", Config{Retries: -1}},
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

// TestRetriesZeroValueMeansNone: a page that always answers 503 is asked
// once with Retries unset, and 1+DefaultRetries times with DefaultRetries.
func TestRetriesZeroValueMeansNone(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retries  int
		requests int32
	}{
		{"zero value", 0, 1},
		{"DefaultRetries", DefaultRetries, 1 + DefaultRetries},
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
			sum := runOnce(t, Config{Seeds: []string{srv.URL + "/p/0"}, Out: t.TempDir(), Manifest: "-",
				Retries: tc.retries})
			if hits.Load() != tc.requests || sum.Failed != 1 {
				t.Errorf("%d requests, %d failed; want %d requests, 1 failed", hits.Load(), sum.Failed, tc.requests)
			}
		})
	}
}
