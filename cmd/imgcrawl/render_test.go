package main

import (
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// TestRenderFlag parses the forms of --render and its companions into a
// crawl's Config.
func TestRenderFlag(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    crawler.RenderMode
		seeds   int
		tabs    int
		wantErr string
	}{
		{args: nil, want: "", seeds: 1, tabs: crawler.DefaultRenderTabs},
		{args: []string{"--render"}, want: crawler.RenderOn, seeds: 1, tabs: crawler.DefaultRenderTabs},
		{args: []string{"--render", "auto"}, want: crawler.RenderAuto, seeds: 1, tabs: crawler.DefaultRenderTabs},
		{args: []string{"--render=auto", "--render-match", "gallery"}, want: crawler.RenderAuto, seeds: 1, tabs: 2},
		{args: []string{"--render=off"}, want: crawler.RenderOff, seeds: 1, tabs: 2},
		{args: []string{"--render", "ON", "--render-tabs", "3"}, want: crawler.RenderOn, seeds: 1, tabs: 3},
		{args: []string{"--render=maybe"}, wantErr: `"maybe" is not one of auto, on, off`},
		{args: []string{"--render-match", "x"}, wantErr: "--render-match: needs --render auto"},
		{args: []string{"--render", "--render-tabs", "0"}, wantErr: "--render-tabs: must be at least 1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"crawl"}, tc.args...)
			args = append(args, "http://127.0.0.1/")
			c, _, err := parseCLI(t, nil, args...)
			var cfg crawler.Config
			if err == nil {
				err = c.Crawl.Render.Apply(&cfg)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Render != tc.want || len(c.Crawl.URLs) != tc.seeds || cfg.RenderTabs != tc.tabs {
				t.Errorf("render %q, seeds %q, tabs %d; want %q, %d seed, %d tabs", cfg.Render, c.Crawl.URLs, cfg.RenderTabs, tc.want, tc.seeds, tc.tabs)
			}
		})
	}
}
