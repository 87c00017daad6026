package options

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/cliflags"
)

// TestDefaultsAreTheFlags: Defaults gives what the flags default to, so a
// job without options runs as a bare command line does.
func TestDefaultsAreTheFlags(t *testing.T) {
	var cli struct{ All }
	root, err := cliflags.Build("options", "", &cli, Vars(), "")
	if err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) (string, bool) { return "", false }
	if err := cliflags.Execute(root, nil, io.Discard, noEnv, func(any) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	got := cli.All
	if !reflect.DeepEqual(SplitList(got.SkipExt), SplitList(want.SkipExt)) {
		t.Errorf("skip-ext: flag %q, Defaults %q", got.SkipExt, want.SkipExt)
	}
	got.SkipExt, want.SkipExt = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flag defaults\n%+v\nDefaults()\n%+v", got, want)
	}
}

// TestJSONNames: every option reads from JSON under its flag's name, sizes
// and durations as the flags write them.
func TestJSONNames(t *testing.T) {
	a := Defaults()
	in := `{"per-host": 2, "max-size": "10MiB", "min-size": 1024, "max-retry-wait": "5s",
		"depth": 1, "skip-ext": ".zip", "header": ["X-A: b"], "accept": "png"}`
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if a.PerHost != 2 || a.MaxSize != 10<<20 || a.MinSize != 1024 || time.Duration(a.MaxRetryWait) != 5*time.Second ||
		a.Depth != 1 || a.SkipExt != ".zip" || a.Concurrency != crawler.DefaultConcurrency {
		t.Errorf("decoded %+v", a)
	}
	var cfg crawler.Config
	if err := a.Apply(&cfg, true); err != nil {
		t.Fatal(err)
	}
	if cfg.PerHost != 2 || cfg.MaxSize != 10<<20 || cfg.Fetch.Header.Get("X-A") != "b" || !cfg.Accept["png"] || cfg.Depth != 1 {
		t.Errorf("applied %+v", cfg)
	}
	for _, bad := range []string{`{"max-size": "12parsecs"}`, `{"max-size": -1}`, `{"max-retry-wait": "soon"}`} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestErrorsNameTheOption: a bad value is an *Error naming its option.
func TestErrorsNameTheOption(t *testing.T) {
	for _, tc := range []struct {
		option string
		edit   func(*All)
		crawl  bool
	}{
		{"per-host", func(a *All) { a.PerHost = 0 }, false},
		{"concurrency", func(a *All) { a.Concurrency = -1 }, false},
		{"header", func(a *All) { a.Header = []string{"novalue"} }, false},
		{"accept", func(a *All) { a.Accept = "png,bogus" }, false},
		{"connect-timeout", func(a *All) { a.ConnectTimeout = -1 }, false},
		{"depth", func(a *All) { a.Depth = -1 }, true},
		{"scope", func(a *All) { a.Scope = "planet" }, true},
		{"include", func(a *All) { a.Include = []string{"("} }, true},
		{"srcset", func(a *All) { a.Srcset = "some" }, true},
		{"min-width", func(a *All) { a.MinWidth = -1 }, false},
	} {
		t.Run(tc.option, func(t *testing.T) {
			a := Defaults()
			tc.edit(&a)
			var cfg crawler.Config
			err := a.Apply(&cfg, tc.crawl)
			var oe *Error
			if !errors.As(err, &oe) || oe.Option != tc.option {
				t.Fatalf("err = %v, want an *Error for %s", err, tc.option)
			}
			if !strings.HasPrefix(err.Error(), "--"+tc.option+": ") {
				t.Errorf("message %q", err)
			}
		})
	}
}
