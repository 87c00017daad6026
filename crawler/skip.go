package crawler

import (
	"fmt"
	"path"
	"strings"
)

// DefaultSkipExtensions returns the extensions of links that are not
// requested when Config.SkipExtensions is nil: files that are neither a page
// nor an image (archives, disk images and installers, documents, audio and
// video, source code and notebooks, fonts, stylesheets and WebAssembly).
// Each call returns a new slice.
//
// .js is not in it: "Node.js" and "Vue.js" are the names of HTML pages on
// many sites. Nor are .c and .h ("Stdio.h" is a Wikipedia article) or
// text-like types (.txt, .md, .json, .xml). A link to any of those is
// requested and, when it answers with something other than HTML or an
// image, given up after the headers.
func DefaultSkipExtensions() []string {
	return []string{
		// archives
		".7z", ".bz2", ".gz", ".rar", ".tar", ".tgz", ".xz", ".zip", ".zst",
		// disk images, installers, packages, binaries
		".apk", ".bin", ".deb", ".dmg", ".exe", ".iso", ".jar", ".msi", ".rpm",
		// documents
		".doc", ".docx", ".epub", ".odp", ".ods", ".odt", ".pdf", ".ppt", ".pptx", ".xls", ".xlsx",
		// audio and video
		".avi", ".flac", ".m4a", ".m4v", ".mkv", ".mov", ".mp3", ".mp4", ".ogg", ".opus", ".wav", ".webm", ".wmv",
		// source code and notebooks
		".go", ".ipynb", ".java", ".py", ".rs",
		// page requisites that are never pages
		".css", ".otf", ".ttf", ".wasm", ".woff", ".woff2",
	}
}

// skipSet turns Config.SkipExtensions into a set of lower-case extensions
// with their dot: nil means DefaultSkipExtensions, an empty list none.
func skipSet(exts []string) (map[string]bool, error) {
	if exts == nil {
		exts = DefaultSkipExtensions()
	}
	set := make(map[string]bool, len(exts))
	for _, e := range exts {
		ext := "." + strings.TrimPrefix(strings.ToLower(strings.TrimSpace(e)), ".")
		if ext == "." || strings.ContainsAny(ext[1:], "./\\?# \t") {
			return nil, &ConfigError{"skip-ext", fmt.Errorf("%q is not a file extension (like .zip)", e)}
		}
		set[ext] = true
	}
	return set, nil
}

// skipLink reports whether a link's path ends in an extension that is
// never requested.
func (c *Crawler) skipLink(p string) bool {
	return len(c.s.skip) > 0 && c.s.skip[strings.ToLower(path.Ext(p))]
}
