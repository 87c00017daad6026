// Package extract finds what a page names: the pages an HTML document links
// to, the page its meta refresh leads to, and the images it shows, from
// every place a page can name one (img src and srcset, the lazy-loading
// attributes of common libraries, <picture>, icons, og:image, JSON-LD, CSS
// url() in style attributes and <style> elements, ...), and the style sheets
// it uses. HTML resolves and normalizes them with package urlnorm and
// returns them as a Result; Options.HTML can keep only the largest
// candidate of each srcset and <picture>. CSS reads a fetched style sheet
// for the images it names and the style sheets it imports.
//
// Its functions are pure: they read only their arguments, fetch nothing, and
// are safe for concurrent use.
//
// Files:
//   - html.go: HTML, Options and Result; resolving what the walks found.
//   - walk.go: the walker, and what each element names (element), shared
//     by the walk over the parsed document and the walk over its tokens.
//   - lazy.go: the lazy-loading attributes, and the style attribute.
//   - jsonld.go: the image fields of JSON-LD scripts.
//   - refresh.go: the URL of a <meta http-equiv=refresh>.
//   - tokens.go: the walk over a document's tokens, for one the parser
//     refuses (nested too deeply), and the copy of the document it replays.
//   - decode.go: the document's encoding, and queries in legacy encodings.
//   - srcset.go: the candidates of a srcset attribute, and the largest of
//     each group of candidates.
//   - css.go, css_token.go: url() and image-set() references and @import
//     targets in CSS.
//   - sheet.go: CSS, what a style sheet names, and its encoding.
//   - sitemap.go: ParseSitemap, the pages, images and files a sitemap lists.
package extract
