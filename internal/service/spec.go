package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/internal/options"
	"github.com/imgcrawl/imgcrawl/store"
)

// Kind is what a job does.
type Kind string

// The kinds: a crawl from seed pages (imgcrawl crawl), or a list of image
// URLs (imgcrawl get).
const (
	KindCrawl Kind = "crawl"
	KindGet   Kind = "get"
)

// MaxURLs is the most URLs one job may list.
const MaxURLs = 100_000

// Spec is what a job is asked to do, as POST /api/jobs takes it and
// job.json keeps it.
type Spec struct {
	Kind Kind     `json:"kind"`
	URLs []string `json:"urls"`
	// Layout is the files' layout (mirror, flat, hash); "" = the command's
	// default: mirror for a crawl, flat for a get.
	Layout string `json:"layout,omitempty"`
	// Options are the command's options under the flags' names
	// ({"depth": 1, "per-host": 2}); what is left out takes the flag's
	// default.
	Options json.RawMessage `json:"options,omitempty"`
}

// FieldError is a bad job request: Field names the request's field, or the
// option ("per-host") at fault.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Policy is what the service allows a job's options to do.
type Policy struct {
	// AllowPrivate lets a job set allow-private (serve --allow-private).
	AllowPrivate bool
	// Index lets a job set skip-known and revalidate (serve --index).
	Index bool
}

// parse checks the spec as the command line would and returns its options
// with the defaults filled in.
func (s *Spec) parse(p Policy) (options.All, error) {
	opts := options.Defaults()
	switch s.Kind {
	case KindCrawl, KindGet:
	default:
		return opts, &FieldError{"kind", fmt.Errorf("%q is not one of crawl, get", s.Kind)}
	}
	if len(s.URLs) == 0 {
		return opts, &FieldError{"urls", errors.New("no URL given")}
	}
	if len(s.URLs) > MaxURLs {
		return opts, &FieldError{"urls", fmt.Errorf("%d URLs, at most %d", len(s.URLs), MaxURLs)}
	}
	for i, u := range s.URLs {
		if _, err := urlnorm.Normalize(u); err != nil {
			return opts, &FieldError{"urls", fmt.Errorf("[%d] %q: %w", i, u, err)}
		}
	}
	if s.Layout != "" {
		if _, err := store.ParseLayout(s.Layout); err != nil {
			return opts, &FieldError{"layout", err}
		}
	}
	if err := decodeOptions(s.Options, &opts); err != nil {
		return opts, err
	}
	if opts.AllowPrivate && !p.AllowPrivate {
		return opts, &FieldError{"allow-private", errors.New("not allowed: serve was started without --allow-private")}
	}
	if s.Kind == KindGet && (opts.RenderMatch != "" || (opts.Render.Render != "" && opts.Render.Render != options.RenderMode(crawler.RenderOff))) {
		return opts, &FieldError{"render", errors.New("a get job has no pages to render (crawl jobs only)")}
	}
	if (opts.SkipKnown || opts.Revalidate) && !p.Index {
		field := "skip-known"
		if opts.Revalidate {
			field = "revalidate"
		}
		return opts, &FieldError{field, errors.New("not allowed: serve was started without --index")}
	}
	if opts.Cookies != "" {
		return opts, &FieldError{"cookies", errors.New("not accepted by the service (it names a file on the server)")}
	}
	var cfg crawler.Config
	if err := s.apply(&cfg, opts); err != nil {
		return opts, err
	}
	return opts, nil
}

// decodeOptions reads the options one key at a time, so that an error
// names the option whatever it is (unknown, mistyped, out of range).
func decodeOptions(raw json.RawMessage, opts *options.All) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return &FieldError{"options", errors.New("not a JSON object")}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		one, _ := json.Marshal(map[string]json.RawMessage{k: m[k]})
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields()
		if err := dec.Decode(opts); err != nil {
			msg := err.Error()
			if strings.Contains(msg, "unknown field") {
				return &FieldError{k, errors.New("no such option")}
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return &FieldError{k, fmt.Errorf("wrong type: want %s, got %s", te.Type, te.Value)}
			}
			return &FieldError{k, err}
		}
	}
	return nil
}

// apply fills cfg from the spec and its options, as the command does from
// its flags, and validates it.
func (s *Spec) apply(cfg *crawler.Config, opts options.All) error {
	layout := s.Layout
	if layout == "" {
		layout = string(store.LayoutMirror)
		if s.Kind == KindGet {
			layout = string(store.LayoutFlat)
		}
	}
	cfg.Layout = store.Layout(layout)
	if s.Kind == KindCrawl {
		cfg.Seeds = s.URLs
	}
	if err := opts.Apply(cfg, s.Kind == KindCrawl); err != nil {
		var oe *options.Error
		if errors.As(err, &oe) {
			return &FieldError{oe.Option, oe.Err}
		}
		return &FieldError{"options", err}
	}
	return nil
}
