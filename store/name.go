package store

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxBytes is the longest path component most filesystems accept.
const maxBytes = 255

// maxExt is the longest extension kept when a long name is shortened;
// a longer "extension" is just part of the name.
const maxExt = 16

// reservedNames holds the Windows device names, lowercased. Windows refuses
// them as file names with or without an extension ("aux.png"), so we refuse
// them everywhere: a crawl folder should copy cleanly between systems.
var reservedNames = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true,
	"conin$": true, "conout$": true, "clock$": true,
	"com0": true, "com1": true, "com2": true, "com3": true, "com4": true,
	"com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"com¹": true, "com²": true, "com³": true,
	"lpt0": true, "lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true,
	"lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
	"lpt¹": true, "lpt²": true, "lpt³": true,
}

// SanitizeName makes s safe to use as one path component on Linux, macOS and
// Windows. It never returns "", "." or "..", and its result:
//
//   - is valid UTF-8 (invalid bytes become "_");
//   - has no "/", "\", control characters, NUL, line separators,
//     bidirectional-override characters or Windows-reserved characters
//     <>:"|?* (each becomes "_");
//   - has no trailing dots or spaces (they are trimmed);
//   - does not start with a dot (".bashrc" becomes "_bashrc"), so it is never
//     a hidden file and never our private ".imgcrawl" folder;
//   - is not a Windows device name such as "con" or "aux.png" (a "_" is
//     prefixed);
//   - is at most 255 bytes: a longer name keeps a valid UTF-8 prefix, then
//     "-" and 8 hex digits of the SHA-256 of s, then its extension, so two
//     long names that share a prefix stay distinct.
//
// SanitizeName is idempotent: SanitizeName(SanitizeName(s)) == SanitizeName(s).
func sanitizeName(s string) string {
	if plainName(s) {
		return s
	}
	return sanitizeRunes(s)
}

// sanitizeRunes is sanitizeName without the shortcut for plain names.
func sanitizeRunes(s string) string {
	orig := s
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError && invalidAt(s, i):
			b.WriteByte('_')
		case badRune(r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s = strings.TrimRight(b.String(), ". ")
	if s == "" {
		return "_"
	}
	if s[0] == '.' {
		s = "_" + s[1:]
	}
	if isReserved(s) {
		s = "_" + s
	}
	if len(s) > maxBytes {
		s = shorten(s, orig)
	}
	return s
}

// plainName reports whether s is already a safe name of printable ASCII:
// sanitizeName's answer for s is then s itself.
func plainName(s string) bool {
	if s == "" || len(s) > maxBytes || s[0] == '.' || s[len(s)-1] == '.' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || strings.IndexByte(`/\<>:"|?*`, c) >= 0 {
			return false
		}
	}
	return !isReserved(s)
}

// invalidAt reports whether the RuneError decoded at s[i] stands for an
// invalid byte rather than a literal U+FFFD.
func invalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}

// badRune reports whether r may not appear in a file name.
func badRune(r rune) bool {
	switch r {
	case '/', '\\', '<', '>', ':', '"', '|', '?', '*':
		return true
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control, unicode.Zl, unicode.Zp)
}

// isReserved reports whether name is a Windows device name, alone or
// followed by an extension. Windows also ignores trailing spaces before the
// extension ("aux .png"), so they are ignored here too.
func isReserved(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.TrimRight(base, " ")
	if len(base) > 7 {
		return false
	}
	return reservedNames[strings.ToLower(base)]
}

// splitExt splits name into stem and extension (with its dot). A leading
// dot does not start an extension, and an extension longer than maxExt
// bytes is not one.
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i > maxExt {
		return name, ""
	}
	return name[:i], name[i:]
}

// shorten cuts the sanitized name s to maxBytes, keeping its
// extension and marking the cut with a hash of the original input orig.
func shorten(s, orig string) string {
	stem, ext := splitExt(s)
	sum := sha256.Sum256([]byte(orig))
	tag := "-" + hex.EncodeToString(sum[:4])
	return truncate(stem, maxBytes-len(tag)-len(ext)) + tag + ext
}

// truncate returns the longest prefix of s of at most n bytes that does
// not split a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// WithSuffix returns the relative path rel with "-n" inserted before the
// extension of its last component: ("a/photo.png", 1) gives "a/photo-1.png"
// and ("a/photo", 2) gives "a/photo-2". The last component is shortened if
// needed to stay within 255 bytes. If n < 1, rel is returned unchanged.
func withSuffix(rel string, n int) string {
	if n < 1 {
		return rel
	}
	dir, base := "", rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		dir, base = rel[:i+1], rel[i+1:]
	}
	stem, ext := splitExt(base)
	suffix := "-" + strconv.Itoa(n)
	stem = truncate(stem, maxBytes-len(suffix)-len(ext))
	return dir + stem + suffix + ext
}

// ContentDispositionName returns the file name suggested by a
// Content-Disposition header value, preferring the RFC 5987 "filename*"
// parameter over "filename" (both decoded by mime.ParseMediaType). Only the
// last path element is kept, so "../../etc/passwd" gives "passwd", but the
// name is otherwise not sanitized: pass it through RelPath or SanitizeName
// before use. ok is false when the header does not parse or names no usable
// file.
func contentDispositionName(header string) (name string, ok bool) {
	_, params, err := mime.ParseMediaType(header)
	if err != nil {
		return "", false
	}
	name = params["filename"]
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "", false
	}
	return name, true
}
