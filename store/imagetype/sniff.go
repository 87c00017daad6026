package imagetype

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Type is a sniffed image format. The zero value means "not an image
// we know".
type Type struct {
	Name string // short name, as used by ParseAccept: "png"
	MIME string // media type: "image/png"
	Ext  string // file extension with its dot: ".png"
}

// sniffTypes lists every type Sniff can return, in the order Types
// reports them. It is never modified.
var sniffTypes = [...]Type{
	{"png", "image/png", ".png"},
	{"jpeg", "image/jpeg", ".jpg"},
	{"gif", "image/gif", ".gif"},
	{"webp", "image/webp", ".webp"},
	{"bmp", "image/bmp", ".bmp"},
	{"tiff", "image/tiff", ".tiff"},
	{"ico", "image/x-icon", ".ico"},
	{"svg", "image/svg+xml", ".svg"},
	{"avif", "image/avif", ".avif"},
}

// sniffAliases maps other accepted spellings to type names.
var sniffAliases = map[string]string{"jpg": "jpeg", "tif": "tiff"}

// Types returns every type Sniff can return, in a fixed order: png,
// jpeg, gif, webp, bmp, tiff, ico, svg, avif. The slice is a fresh copy.
func Types() []Type {
	return slices.Clone(sniffTypes[:])
}

// ByMIME returns the type whose MIME type is mime, as Sniff reports it.
func ByMIME(mime string) (Type, bool) {
	for _, t := range sniffTypes {
		if t.MIME == mime {
			return t, true
		}
	}
	return Type{}, false
}

// sniffType returns the type called name; it must be one of sniffTypes.
func sniffType(name string) Type {
	for _, t := range sniffTypes {
		if t.Name == name {
			return t
		}
	}
	panic("imagetype: no image type " + name)
}

// Sniff identifies an image from its first bytes; pass at least the first
// 512 bytes when the file has them (more helps SVG files with long
// preambles). It recognizes PNG, JPEG, GIF and WebP (by
// http.DetectContentType), BMP (with a plausible header), TIFF (II*\0 and
// MM\0*), ICO (00 00 01 00 and at least one entry), AVIF (an ISO-BMFF ftyp
// box with brand avif or avis, major or compatible) and SVG (an <svg> root
// element after an optional byte-order mark, XML declaration, comments,
// processing instructions and doctype). Anything else, such as HTML, text or
// PDF, gives ok=false.
func Sniff(head []byte) (t Type, ok bool) {
	switch http.DetectContentType(head) {
	case "image/png":
		return sniffType("png"), true
	case "image/jpeg":
		return sniffType("jpeg"), true
	case "image/gif":
		return sniffType("gif"), true
	case "image/webp":
		return sniffType("webp"), true
	}
	switch {
	case isBMP(head):
		return sniffType("bmp"), true
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return sniffType("tiff"), true
	case isICO(head):
		return sniffType("ico"), true
	case isAVIF(head):
		return sniffType("avif"), true
	}
	if _, _, svg := svgRoot(head); svg {
		return sniffType("svg"), true
	}
	return Type{}, false
}

// ParseAccept parses a comma-separated list of image type names, as
// returned by Types ("png,jpeg,svg"), into a set keyed by Name. Case
// and spaces around names are ignored, "jpg" means jpeg, "tif" means tiff
// and "all" means every type. The error names every unknown entry.
func ParseAccept(s string) (map[string]bool, error) {
	set := make(map[string]bool)
	var bad []string
	for _, f := range strings.Split(s, ",") {
		name := strings.ToLower(strings.TrimSpace(f))
		if alias, ok := sniffAliases[name]; ok {
			name = alias
		}
		switch {
		case name == "":
		case name == "all":
			for _, t := range sniffTypes {
				set[t.Name] = true
			}
		case slices.ContainsFunc(sniffTypes[:], func(t Type) bool { return t.Name == name }):
			set[name] = true
		default:
			bad = append(bad, fmt.Sprintf("%q", strings.TrimSpace(f)))
		}
	}
	if len(bad) > 0 {
		names := make([]string, len(sniffTypes))
		for i, t := range sniffTypes {
			names[i] = t.Name
		}
		return nil, fmt.Errorf("imagetype: unknown image type %s in accept list (choose from %s, or all)",
			strings.Join(bad, ", "), strings.Join(names, ", "))
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("imagetype: accept list %q names no image type", s)
	}
	return set, nil
}
