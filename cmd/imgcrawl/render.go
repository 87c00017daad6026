package main

import (
	"fmt"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// renderFlags are the crawl's flags for rendering pages in a browser.
type renderFlags struct {
	Render      renderMode `placeholder:"auto|on|off" help:"Load pages in headless Chromium and read their images after scripts ran and the page was scrolled: on (also a bare --render), auto (only pages whose HTML names no image but has a script, or that match --render-match), off (default)."`
	RenderTabs  int        `name:"render-tabs" default:"${default_render_tabs}" placeholder:"N" help:"Pages rendered at once (browser tabs)."`
	RenderMatch string     `name:"render-match" placeholder:"RE" help:"With --render auto, also render the pages whose URL matches."`
	Browser     string     `placeholder:"PATH" help:"The Chromium or Chrome binary for --render (default: chromium in PATH)."`
}

func (f *renderFlags) apply(cfg *crawler.Config) error {
	if f.RenderTabs < 1 {
		return usageError{fmt.Errorf("--render-tabs must be at least 1, got %d", f.RenderTabs)}
	}
	cfg.Render, cfg.RenderTabs = crawler.RenderMode(f.Render), f.RenderTabs
	cfg.RenderMatch, cfg.Browser = f.RenderMatch, f.Browser
	if cfg.RenderMatch != "" && (cfg.Render == "" || cfg.Render == crawler.RenderOff) {
		return usageError{fmt.Errorf("--render-match needs --render auto")}
	}
	return nil
}

// renderMode is --render's value: a bare --render means on, and the value
// may follow as --render=auto or --render auto.
type renderMode string

func (m *renderMode) Decode(ctx *kong.DecodeContext) error {
	tok := ctx.Scan.Peek()
	var v string
	switch {
	case tok.Type == kong.FlagValueToken:
		v = fmt.Sprint(ctx.Scan.Pop().Value)
	case (tok.Type == kong.UntypedToken || tok.Type == kong.PositionalArgumentToken) && isRenderMode(fmt.Sprint(tok.Value)):
		v = fmt.Sprint(ctx.Scan.Pop().Value)
	default:
		*m = renderMode(crawler.RenderOn) // a bare --render
		return nil
	}
	v = strings.ToLower(v)
	if v == "true" {
		v = "on"
	}
	if !isRenderMode(v) {
		return fmt.Errorf("%q is not one of auto, on, off", v)
	}
	*m = renderMode(v)
	return nil
}

// IsBool lets --render stand alone.
func (*renderMode) IsBool() bool { return true }

func isRenderMode(v string) bool {
	switch crawler.RenderMode(strings.ToLower(v)) {
	case crawler.RenderOn, crawler.RenderOff, crawler.RenderAuto:
		return true
	}
	return false
}
