// Package crawler is imgcrawl's engine: it crawls from seed URLs (or takes a
// stream of image URLs) and saves every image found, politely and
// resumably.
//
// Make a Crawler with New(Config) and call Run(ctx) once; Run returns a
// Summary when nothing is left to do. Every goroutine the crawl starts has
// ended when Run returns.
//
// The shape: one frontier goroutine hands items from the crawl state
// (state.State: seen set, frontier, content index) to two fixed pools of
// workers, pages and images, as per-host and global limits allow (fetch.Hosts);
// workers fetch (fetch.Client, robots via fetch.RobotsCache), parse pages with
// goquery, stream images to disk (store.Writer), send events to one collector
// goroutine (counters, manifest, progress, Config.OnEvent) and report back to
// the frontier, which records discovered items before acknowledging the one
// that found them.
//
// Files:
//   - config.go: Config, defaults and validation.
//   - crawler.go: New and Run, the wiring and shutdown.
//   - frontier.go: the scheduling loop and its per-host buffer.
//   - worker.go: fetching a page or image, redirects, retries.
//   - extract.go, srcset.go, css.go: links and images named by a page.
//   - urlnorm.go: URL parsing and normalization (WHATWG).
//   - scope.go, filter.go: which pages are followed.
//   - collector.go, progress.go, events.go: events, summary and display.
//   - settings.go: Settings, what a stored crawl must match (LoadSettings).
package crawler
