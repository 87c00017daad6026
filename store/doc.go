// Package store is imgcrawl's persistence: the streaming image writer that
// sniffs, hashes, writes a temp file and links it into place under a safe
// name (writer.go, name.go, layout.go, sniff.go, dims.go; temp files,
// anonymous on Linux, in tempfile*.go; resumable downloads in partial.go);
// the manifest (manifest.go); and the crawl state behind the State interface
// (state.go): in memory (memory.go) or in a bbolt file that makes every crawl
// resumable (bolt*.go). The in-memory frontier queue with its breadth-first
// barrier is queue.go.
package store
