// Package store is imgcrawl's image files: the streaming writer that sniffs
// (store/imagetype), hashes, writes a temp file and links it into place
// under a safe name (writer.go, name.go, layout.go; temp files, anonymous on
// Linux, in tempfile*.go, removed on a forced exit by RemoveTemp in
// removetemp.go; resumable downloads in partial.go); the manifest
// (manifest.go); and OUT's private folder, with the default place of the
// crawl state (private.go). The crawl state itself is store/state.
package store
