// Package extract finds what a page names: the pages an HTML document links
// to and the images it shows, from every place a page can name one (img src
// and srcset, lazy-loading data-* attributes, <picture>, og:image, CSS url()
// in style attributes and <style> elements, ...). HTML resolves and
// normalizes them with package urlnorm and returns them as a Result.
//
// Its functions are pure: they read only their arguments, fetch nothing, and
// are safe for concurrent use.
//
// Files:
//   - html.go: HTML and Result, the walk over the parsed document.
//   - tokens.go: the walk over a document's tokens, for one the parser
//     refuses (nested too deeply), and the copy of the document it replays.
//   - decode.go: the document's encoding, and queries in legacy encodings.
//   - srcset.go: the candidates of a srcset attribute.
//   - css.go, css_token.go: url() and image-set() references in CSS.
package extract
