package main

import (
	"fmt"

	"github.com/imgcrawl/imgcrawl/internal/humanize"
	"github.com/imgcrawl/imgcrawl/internal/options"

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
	State      string `placeholder:"FILE" help:"Crawl state file (default OUT/.imgcrawl/state.db; 'none' = in memory, not resumable)."`
	Fresh      bool   `help:"Discard the stored crawl state and start over."`
	Index      string `placeholder:"DSN" help:"Also record every image (and page) in an SQL index: sqlite:FILE, mysql://USER:PASS@HOST:PORT/DB (MySQL, MariaDB) or postgres://USER:PASS@HOST:PORT/DB."`
	SkipKnown  bool   `name:"skip-known" help:"With --index: do not request image URLs another crawl saved, and keep no copy of content another crawl saved (recorded as a duplicate of that file)."`
	Revalidate bool   `help:"With --index: request image URLs another crawl saved only if changed (If-None-Match, If-Modified-Since); unchanged ones are skipped, changed ones saved."`
	Quiet      bool   `short:"q" help:"No progress display; errors and the summary only."`
	Strict     bool   `help:"Exit 3 when any page or image failed (default: failures are counted, exit 0)."`
	redisFlags
	listenFlags
}

// libCount maps the count n given to flag to the library's value: the
// library reads 0 as its default and none as zero. A negative count is a
// usage error (the library would take -1 for none).
func libCount(flag string, n, none int) (int, error) {
	switch {
	case n < 0:
		return 0, usageError{fmt.Errorf("%s: must be >= 0, got %d", flag, n)}
	case n == 0:
		return none, nil
	}
	return n, nil
}

// apply copies the store flags into a crawler config.
func (s *storeFlags) apply(cfg *crawler.Config, layout string) error {
	cfg.Out, cfg.Layout, cfg.Manifest = s.Out, store.Layout(layout), s.Manifest
	if err := s.Images.Apply(cfg); err != nil {
		return err
	}
	cfg.SkipKnown, cfg.Revalidate = s.SkipKnown, s.Revalidate
	if (s.SkipKnown || s.Revalidate) && s.Index == "" {
		flag := "--skip-known"
		if s.Revalidate {
			flag = "--revalidate"
		}
		return usageError{fmt.Errorf("%s needs --index DSN: the index is what tells which images are known", flag)}
	}
	return nil
}

// defaultVars are the library's defaults, for the flags' default tags
// (${default_concurrency}) and help, so that the CLI does not repeat them.
func defaultVars() map[string]string {
	v := options.Vars()
	v["default_redis_lease"] = humanize.Exact(redisstate.DefaultLease)
	return v
}
