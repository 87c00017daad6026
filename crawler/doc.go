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
// and images of pages (extract.Options.HTML; URLs are normalized by package urlnorm),
// stream images to disk (store.Writer) and report back to the frontier. The
// frontier records discovered items before acknowledging the one that found
// them, and only then passes the item's event to one collector goroutine
// (counters, manifest, progress, Config.OnEvent): records follow
// acknowledgements, so after a crash the state can rebuild the manifest.
//
// Files:
//   - config.go: Config, defaults and validation.
//   - crawler.go: New and Run, the wiring and shutdown.
//   - frontier.go: the scheduling loop.
//   - hostbuf.go: the frontier's per-host buffer and dispatch.
//   - results.go: recording a job's result, then sending its event.
//   - worker.go: fetching a page or image, redirects and meta refreshes,
//     retries.
//   - reach.go: requests through the hosts' connection budget (fetch.Reach).
//   - linked.go: what a followed link turned out to be (page, image, other).
//   - sitemaps.go, sitemapfetch.go: Config.Sitemaps, the seed hosts'
//     sitemaps read by one goroutine beside the frontier, which feeds it
//     what they list.
//   - stylesheet.go: reading a style sheet a page uses for its images and
//     imports, and the encodings style sheets fall back on.
//   - rendered.go: Config.Render: which pages are rendered (package
//     render), and what the rendered page adds to what its HTML names.
//   - browserload.go: the browser's requests, made by the crawler under
//     its rules, and the cache of scripts and style sheets.
//   - scope.go, filter.go, skip.go: which pages are followed, which links
//     are never requested (DefaultSkipExtensions).
//   - hooks.go: Hooks, the caller's filter and request and response hooks,
//     and how a panicking hook fails its URL (HookPanic).
//   - htmlhooks.go: HTMLHook and Element, CSS selector hooks on pages.
//   - events.go: Event, Kind and Status, Summary.
//   - failure.go: Failure (a URL and why), ErrRobots, ErrOutOfScope.
//   - collector.go, progress.go: counters, manifest and display.
//   - meter.go: request and byte counters, rates over a window.
//   - snapshot.go: Snapshot, the status a running crawl writes for others.
//   - patient.go: retrying a shared state's transient failures.
//   - settings.go: Settings, what a stored crawl must match (LoadSettings).
package crawler
