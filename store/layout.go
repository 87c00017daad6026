package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/imgcrawl/imgcrawl/internal/hexdigit"
)

// Layout says where an image goes under the output folder OUT.
//
// The zero value, and any value not listed below, is treated as LayoutMirror
// by RelPath; use ParseLayout to validate user input.
type Layout string

// The layouts RelPath knows.
const (
	LayoutMirror Layout = "mirror" // OUT/host/path/name.ext (query folded into the name)
	LayoutFlat   Layout = "flat"   // OUT/name.ext
	LayoutHash   Layout = "hash"   // OUT/ab/cd/<sha256 hex>.ext
)

// Limits on the folders of a mirrored path, so that a URL with a very deep
// or very long path still gives a path the operating system accepts.
const (
	maxDirs     = 32
	maxDirBytes = 1024
)

// extKinds maps the extensions of the image types Sniff knows, and
// their common spellings, to a type name.
var extKinds = map[string]string{
	".png": "png", ".apng": "png",
	".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".jfif": "jpeg", ".pjpeg": "jpeg", ".pjp": "jpeg",
	".gif":  "gif",
	".webp": "webp",
	".bmp":  "bmp", ".dib": "bmp",
	".tif": "tiff", ".tiff": "tiff",
	".ico":  "ico",
	".svg":  "svg",
	".avif": "avif",
}

// ParseLayout returns the Layout named by s ("mirror", "flat" or "hash",
// case-insensitive, surrounding spaces ignored).
func ParseLayout(s string) (Layout, error) {
	switch l := Layout(strings.ToLower(strings.TrimSpace(s))); l {
	case LayoutMirror, LayoutFlat, LayoutHash:
		return l, nil
	}
	return "", fmt.Errorf("store: unknown layout %q (choose mirror, flat or hash)", s)
}

// RelPath returns the relative, slash-separated path under OUT for an image
// fetched from u whose sniffed type has extension ext (".png"; "" if
// unknown), with content hash sum (used by LayoutHash; the others ignore it).
// name, when not "", overrides the URL's last path segment as the base name
// (used for Content-Disposition). The caller joins the result to OUT with
// filepath.FromSlash; filepath.IsLocal holds for it, and every component
// obeys SanitizeName, so nothing can land outside OUT, in a hidden file, or
// in OUT/.imgcrawl.
//
// The file name (mirror and flat) is built like this:
//
//   - The base is name, or else the URL's last path segment percent-decoded
//     once, or "index" when that segment is empty ("/gallery/").
//   - Without name, a query is folded into the base: its "&"-separated
//     parts are percent-decoded and joined to the stem with "_", so
//     "photo.jpg?w=100&h=50" gives "photo_w=100_h=50.jpg" and
//     "img.php?id=3" holding PNG gives "img.php_id=3.png".
//   - If ext is known, it wins over the URL's own image extension
//     ("photo.jpg" holding PNG gives "photo.png"), but an equivalent
//     spelling is kept (".jpeg" and ".JPG" stay for JPEG content); a
//     non-image extension stays part of the name and ext is appended.
//
// Mirror puts the file under the lowercased host (with "_port" unless it is
// the scheme's default) and the URL's folders. Each folder is percent-decoded
// once after splitting on "/", so "%2F" cannot create a folder and "%2e%2e"
// cannot climb out; empty, "." and ".." folders are dropped. Very deep or long
// folder paths are cut, and the rest replaced by one "_more-<hash>" folder.
// Hash gives "ab/cd/<64 hex digits>.ext", from the leading hex digits of sum.
// Two URLs can map to the same path (case, lossy folding, truncation); the
// caller resolves clashes, for example with WithSuffix. u must not be nil.
// RelPath is a pure function, safe for concurrent use.
func relPath(l Layout, u *url.URL, name string, ext string, sum [32]byte) string {
	ext = cleanExt(ext)
	switch l {
	case LayoutHash:
		h := hex.EncodeToString(sum[:])
		return h[:2] + "/" + h[2:4] + "/" + h + ext
	case LayoutFlat:
		_, file := splitPath(u)
		return fileName(file, u.RawQuery, name, ext)
	}
	dirs, file := splitPath(u)
	parts := append([]string{hostDir(u)}, cleanDirs(dirs)...)
	parts = append(parts, fileName(file, u.RawQuery, name, ext))
	return strings.Join(parts, "/")
}

// cleanExt returns ext lowercased if it looks like an extension (a dot
// and 1 to 15 ASCII letters or digits), and "" otherwise.
func cleanExt(ext string) string {
	if len(ext) < 2 || len(ext) > maxExt || ext[0] != '.' {
		return ""
	}
	for i := 1; i < len(ext); i++ {
		c := ext[i] | 0x20 // ASCII lowercase; digits are unchanged
		if !('a' <= c && c <= 'z' || '0' <= ext[i] && ext[i] <= '9') {
			return ""
		}
	}
	return strings.ToLower(ext)
}

// splitPath splits u's path into its folders and its last segment,
// each percent-decoded once. Empty, "." and ".." folders are dropped; a "."
// or ".." last segment is returned as "".
func splitPath(u *url.URL) (dirs []string, file string) {
	p := u.EscapedPath()
	if u.Opaque != "" {
		p = u.Opaque
	}
	segs := strings.Split(p, "/")
	for _, s := range segs[:len(segs)-1] {
		d := unescape(s)
		if d != "" && d != "." && d != ".." {
			dirs = append(dirs, d)
		}
	}
	file = unescape(segs[len(segs)-1])
	if file == "." || file == ".." {
		file = ""
	}
	return dirs, file
}

// unescape decodes each valid %XX escape in s once and leaves anything
// else, including a malformed escape, as it is.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := hexdigit.Value(s[i+1])
			lo, ok2 := hexdigit.Value(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hostDir returns the sanitized folder name for u's host and port.
func hostDir(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	scheme := strings.ToLower(u.Scheme)
	if port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += "_" + port
	}
	return sanitizeName(host)
}

// cleanDirs sanitizes the folders of a mirrored path and bounds their
// number and total length.
func cleanDirs(dirs []string) []string {
	out := make([]string, 0, len(dirs))
	total := 0
	for _, d := range dirs {
		out = append(out, sanitizeName(d))
		total += len(out[len(out)-1]) + 1
	}
	if len(out) <= maxDirs && total <= maxDirBytes {
		return out
	}
	sum := sha256.Sum256([]byte(strings.Join(out, "/")))
	more := "_more-" + hex.EncodeToString(sum[:4])
	kept, size := 0, len(more)+1
	for kept < maxDirs-1 && size+len(out[kept])+1 <= maxDirBytes {
		size += len(out[kept]) + 1
		kept++
	}
	return append(out[:kept:kept], more)
}

// fileName builds the sanitized file name from the URL's decoded last
// segment, its raw query, the caller's name override and the clean sniffed
// extension.
func fileName(file, rawQuery, name, ext string) string {
	base := name
	if base == "" {
		base = file
		if base == "" {
			base = "index"
		}
	} else {
		rawQuery = ""
	}
	base = strings.TrimRight(base, ". ")
	stem, urlExt := splitExt(base)
	if extKinds[strings.ToLower(urlExt)] == "" {
		stem, urlExt = base, ""
	}
	if ext != "" && (urlExt == "" || extKinds[strings.ToLower(urlExt)] != extKinds[ext]) {
		urlExt = ext
	}
	if q := foldQuery(rawQuery); q != "" {
		stem += "_" + q
	}
	return sanitizeName(stem + urlExt)
}

// foldQuery turns a raw query into a readable name fragment: its
// non-empty "&"-separated parts, each percent-decoded once, joined by "_".
func foldQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	var parts []string
	for _, p := range strings.Split(rawQuery, "&") {
		if p != "" {
			parts = append(parts, unescape(p))
		}
	}
	return strings.Join(parts, "_")
}
