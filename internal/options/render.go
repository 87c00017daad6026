package options

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// Render are the options of rendering pages in headless Chromium (a crawl
// only). The browser binary is not among them: it is the command's choice
// (--browser), never a job's.
type Render struct {
	Render      RenderMode `json:"render" placeholder:"auto|on|off" help:"Load pages in headless Chromium and read their images after scripts ran and the page was scrolled: on (also a bare --render), auto (only pages whose HTML names no image but has a script, or that match --render-match), off (default)."`
	RenderTabs  int        `json:"render-tabs" name:"render-tabs" default:"${default_render_tabs}" placeholder:"N" help:"Pages rendered at once (browser tabs)."`
	RenderMatch string     `json:"render-match" name:"render-match" placeholder:"RE" help:"With --render auto, also render the pages whose URL matches."`
}

// Apply checks r and copies it into cfg.
func (r *Render) Apply(cfg *crawler.Config) error {
	if r.RenderTabs < 1 {
		return &Error{"render-tabs", fmt.Errorf("must be at least 1, got %d", r.RenderTabs)}
	}
	cfg.Render, cfg.RenderTabs, cfg.RenderMatch = crawler.RenderMode(r.Render), r.RenderTabs, r.RenderMatch
	if cfg.RenderMatch != "" && (cfg.Render == "" || cfg.Render == crawler.RenderOff) {
		return &Error{"render-match", errors.New("needs --render auto")}
	}
	return nil
}

// RenderMode is the render option's value: on, off or auto ("" is off).
// As a flag, a bare --render means on, and the value may follow as
// --render=auto or --render auto (see cliflags.Optional).
type RenderMode string

// UnmarshalText reads the flag's value: on, off, auto (any case) or true.
func (m *RenderMode) UnmarshalText(text []byte) error { return m.set(string(text)) }

// BareValue is what a bare --render means: on.
func (*RenderMode) BareValue() string { return string(crawler.RenderOn) }

// AcceptsNext tells whether the argument after a bare --render is its
// value (--render auto) rather than a seed URL.
func (*RenderMode) AcceptsNext(arg string) bool { return isRenderMode(arg) }

// UnmarshalJSON takes "on", "off", "auto", or true (on) and false (off).
func (m *RenderMode) UnmarshalJSON(data []byte) error {
	var b bool
	if err := json.Unmarshal(data, &b); err == nil {
		*m = RenderMode(crawler.RenderOff)
		if b {
			*m = RenderMode(crawler.RenderOn)
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("bad render mode %s (want \"on\", \"off\" or \"auto\")", data)
	}
	return m.set(s)
}

func (m *RenderMode) set(v string) error {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "true" {
		v = "on"
	}
	if !isRenderMode(v) {
		return fmt.Errorf("%q is not one of auto, on, off", v)
	}
	*m = RenderMode(v)
	return nil
}

func isRenderMode(v string) bool {
	switch crawler.RenderMode(strings.ToLower(v)) {
	case crawler.RenderOn, crawler.RenderOff, crawler.RenderAuto:
		return true
	}
	return false
}
