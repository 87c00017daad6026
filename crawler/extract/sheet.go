package extract

import (
	"bytes"
	"mime"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"golang.org/x/net/html/charset"
)

// Sheet is what a style sheet names. Every URL in it is normalized, uses
// http or https, and appears once per list, in the order of its first
// occurrence. The zero value is an empty sheet.
type Sheet struct {
	// Images are the images named by url() and image-set() outside
	// @import, @namespace and @font-face, less the references whose path
	// ends in the extension of a font, a cursor, a script, a style sheet
	// or audio and video (see notImageExt): those are not images.
	Images []*url.URL
	// Imports are the style sheets named by @import rules.
	Imports []*url.URL
	// Encoding is the name of the encoding the sheet was read in.
	Encoding string
}

// CSS returns the images and style sheets that the style sheet body names,
// resolved against sheet, the style sheet's URL (the final URL after
// redirects), as a browser resolves them.
//
// The body is decoded to UTF-8 as CSS Syntax Level 3 decides a style
// sheet's encoding: a byte order mark, then the charset of contentType (the
// response's Content-Type header), then an @charset rule at the very start
// of the body ("utf-16be" and "utf-16le" there mean UTF-8), then fallback
// (the encoding of the page that uses the sheet, "" for none), then UTF-8.
// Unknown labels are passed over.
//
// CSS is pure and safe for concurrent use; references that do not resolve
// to an http(s) URL are skipped silently.
func CSS(body []byte, contentType, fallback string, sheet *url.URL) Sheet {
	text, enc := decodeCSS(body, contentType, fallback)
	images, imports := cssRefs(text)
	out := Sheet{Encoding: enc}
	rs := urlnorm.NewResolver(sheet)
	seen := make(map[string]bool, len(images)+len(imports))
	resolve := func(list []*url.URL, refs []string, images bool) []*url.URL {
		for _, ref := range refs {
			u, err := rs.Resolve(ref)
			if err != nil || images && notImageExt(u.Path) {
				continue
			}
			key := u.String()
			if images {
				key = "i" + key
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			list = append(list, u)
		}
		return list
	}
	out.Imports = resolve(nil, imports, false)
	out.Images = resolve(nil, images, true)
	return out
}

// notImageExt reports whether the URL path p ends in the extension of
// something a style sheet names that is not an image: a font (outside
// @font-face), a cursor, a behaviour (.htc), a script, a style sheet, a
// document, audio or video. A path with another extension, or none, may
// be an image; the store keeps it only if its bytes are one.
func notImageExt(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".woff", ".woff2", ".ttf", ".otf", ".eot", ".sfnt",
		".cur", ".ani", ".htc", ".js", ".css", ".html", ".htm", ".xml", ".json",
		".mp3", ".mp4", ".m4a", ".ogg", ".oga", ".ogv", ".opus", ".wav", ".webm", ".mov":
		return true
	}
	return false
}

// decodeCSS returns body as UTF-8, decoded from the encoding CSS decides
// (see CSS), and that encoding's name.
func decodeCSS(body []byte, contentType, fallback string) (string, string) {
	name, bom := cssEncoding(body, contentType, fallback)
	body = body[bom:]
	if name == "utf-8" {
		if utf8.Valid(body) {
			return string(body), name
		}
		return strings.ToValidUTF8(string(body), "\uFFFD"), name
	}
	enc, _ := charset.Lookup(name)
	if enc == nil {
		return strings.ToValidUTF8(string(body), "\uFFFD"), "utf-8"
	}
	text, err := enc.NewDecoder().Bytes(body)
	if err != nil { // the x/text decoders replace bad input rather than fail
		return strings.ToValidUTF8(string(body), "\uFFFD"), "utf-8"
	}
	return string(text), name
}

// cssEncoding returns the name of the encoding of a style sheet (see
// CSS) and the length of its byte order mark (0 for none).
func cssEncoding(body []byte, contentType, fallback string) (name string, bom int) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return "utf-8", 3
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return "utf-16be", 2
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return "utf-16le", 2
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if n := lookupEncoding(params["charset"]); n != "" {
			return n, 0
		}
	}
	if label, ok := charsetRule(body); ok {
		if n := lookupEncoding(label); n != "" {
			if n == "utf-16be" || n == "utf-16le" {
				n = "utf-8" // an ASCII-compatible rule cannot be in UTF-16
			}
			return n, 0
		}
	}
	if n := lookupEncoding(fallback); n != "" {
		return n, 0
	}
	return "utf-8", 0
}

// lookupEncoding returns the canonical name of the encoding label names,
// "" for none or an unknown label (and for "replacement", which decodes
// nothing).
func lookupEncoding(label string) string {
	label = strings.TrimSpace(label)
	if label == "" {
		return ""
	}
	enc, name := charset.Lookup(label)
	if enc == nil || name == "replacement" {
		return ""
	}
	return name
}

// charsetRule returns the label of an @charset rule that opens body,
// byte for byte as CSS requires (`@charset "label";`), looking at most
// 1024 bytes in.
func charsetRule(body []byte) (string, bool) {
	const open = `@charset "`
	if !bytes.HasPrefix(body, []byte(open)) {
		return "", false
	}
	rest := body[len(open):min(len(body), 1024)]
	end := bytes.Index(rest, []byte(`";`))
	if end < 0 {
		return "", false
	}
	return string(rest[:end]), true
}
