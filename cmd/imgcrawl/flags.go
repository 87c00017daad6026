package main

import (
	"github.com/imgcrawl/imgcrawl/internal/humanize"
	"github.com/imgcrawl/imgcrawl/internal/options"

	"github.com/alecthomas/kong"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// fetchFlags are the flags of every command that downloads (shared with
// the service's job options).
type fetchFlags = options.Fetch

// storeFlags are the flags of every command that saves images.
type storeFlags struct {
	Out      string `short:"o" default:"./images" placeholder:"DIR" help:"Where images go."`
	Manifest string `placeholder:"FILE" help:"Manifest file (default OUT/manifest.jsonl; '-' for none)."`
	options.Images
	State  string `placeholder:"FILE" help:"Crawl state file (default OUT/.imgcrawl/state.db; 'none' = in memory, not resumable)."`
	Fresh  bool   `help:"Discard the stored crawl state and start over."`
	Quiet  bool   `short:"q" help:"No progress display; errors and the summary only."`
	Strict bool   `help:"Exit 3 when any page or image failed (default: failures are counted, exit 0)."`
	redisFlags
	listenFlags
}

// apply copies the store flags into a crawler config.
func (s *storeFlags) apply(cfg *crawler.Config, layout string) error {
	cfg.Out, cfg.Layout, cfg.Manifest = s.Out, store.Layout(layout), s.Manifest
	return s.Images.Apply(cfg)
}

// defaultVars are the library's defaults, for the flags' default tags
// (${default_concurrency}) and help, so that the CLI does not repeat them.
func defaultVars() kong.Vars {
	v := options.Vars()
	v["default_redis_lease"] = humanize.Exact(redisstate.DefaultLease)
	return v
}
