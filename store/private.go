package store

import "path/filepath"

// PrivateDir is the folder under OUT that holds imgcrawl's own files (temp
// files, kept partial downloads, the default crawl state). Image names never
// use it.
const PrivateDir = ".imgcrawl"

// StatePath returns where the crawl state of the images under out is kept
// unless the caller names another file: out/.imgcrawl/state.db.
func StatePath(out string) string { return filepath.Join(out, PrivateDir, "state.db") }
