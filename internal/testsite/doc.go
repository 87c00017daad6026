// Package testsite serves a deterministic synthetic web site for the
// end-to-end tests, examples, demo and benchmarks of imgcrawl, and knows
// the right answer for a crawl of it.
//
// A Site is built from Options by New. The same Options always give the
// same link graph and the same bytes. Numbered pages ("/" and /p/N.html)
// form a tree with random extra links, and reference shared generic
// images (/i/N.png, .jpg, .gif). With Options.Features the site also
// holds every hostile case a crawler must handle: each image reference
// form (src, srcset in x and w forms, lazy-loading attributes, picture
// sources, og:image, twitter:image, image_src, input type=image, CSS
// url() in attributes and style blocks), a <base href>, fragments,
// reordered query strings, data: URIs, 404s, an external link, paths
// that robots.txt disallows, a windows-1252 page, an HTML document
// served as image/jpeg, and the same bytes at two URLs.
//
// Expected and ExpectedPages give what a correct crawl from "/" saves
// and fetches, computed from the site's own graph. Requests counts what
// was actually fetched. Every path they use is in the form that
// NormalizeTarget gives.
//
// Files:
//
//   - options.go: Options and their defaults.
//   - site.go: Site, New, routing and request counting.
//   - serve.go: ServeHTTP and the response helpers.
//   - render.go: HTML of the pages, windows-1252 encoding.
//   - features.go: the hostile pages, blocks and images.
//   - graph.go: the link graph, BFS depths, ExpectedPages.
//   - expected.go: Expected and ImageList.
//   - images.go: deterministic PNG, JPEG and GIF generation and cache.
//   - robots.go: robots.txt and Disallowed.
//   - normalize.go: NormalizeTarget and the lookup keys.
//   - server.go: Start and Serve on a loopback listener.
//   - large.go: a streamed large image for size-cap tests.
//   - scripted.go: Scripted, a small site whose images only scripts make,
//     for the tests of rendering.
//
// The cmd/testsite directory holds a standalone server for benchmarks
// and manual runs.
package testsite
