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
// workers fetch (fetch.Client, robots via fetch.RobotsCache), read the links
// and images of pages (extract.HTML; URLs are normalized by package urlnorm),
// stream images to disk (store.Writer), send events to one collector
// goroutine (counters, manifest, progress, Config.OnEvent) and report back to
// the frontier, which records discovered items before acknowledging the one
// that found them.
//
// Files:
//   - config.go: Config, defaults and validation.
//   - crawler.go: New and Run, the wiring and shutdown.
//   - frontier.go: the scheduling loop and its per-host buffer.
//   - worker.go: fetching a page or image, redirects, retries.
//   - scope.go, filter.go: which pages are followed.
//   - collector.go, progress.go, events.go: events, summary and display.
//   - meta.go: the crawl settings a stored crawl must match.
package crawler
