// Package urlnorm parses, resolves and normalizes http(s) URLs the way a
// browser does (the WHATWG URL Standard, through
// github.com/nlnwa/whatwg-url), and gives each URL one normalized form that
// the crawler uses as its identity.
//
// Normalize takes an absolute URL, Resolve a reference and the URL it is
// relative to, and a Resolver resolves all the references of one page. Plain
// URLs and references, the most common on real pages, skip the WHATWG parser
// for a fast path that the fuzz targets hold to the parser's result.
//
// Files:
//   - urlnorm.go: Normalize, Resolve and Resolver over the WHATWG parser,
//     and the normalized form.
//   - escape.go: percent-escapes and the sorted query.
//   - errors.go: error messages, scheme checks, redacted input.
//   - fast.go: the fast path for simple URLs and references.
//   - guess.go: GuessScheme, for a URL typed without its scheme.
package urlnorm
