// Package store writes image files: the streaming writer that sniffs the
// first bytes, hashes the body into a temp file and links it into place
// under a safe name, so that a file under its final name is always complete
// and never outside the output folder; and the manifest, one JSON line per
// image URL. A Sink puts the images elsewhere than the local file system
// (package store/s3: S3-compatible object storage).
//
// The writer asks the crawl state one question, through Claimer: which file
// holds this content? Identical content is then saved once per crawl. The
// state itself (seen set, frontier, content index) is package store/state;
// image types and header-only dimensions are package store/imagetype.
//
// Files:
//   - writer.go: Writer, WriterConfig, Save, Result, Claimer.
//   - sink.go: Sink, Object and Exister: images put elsewhere than Dir.
//   - partial.go: large downloads kept across interruptions, resumed with Range.
//   - tempfile.go: temp files (tempfile_linux.go: anonymous O_TMPFILE ones).
//   - layout.go: Layout, and the path of a file in each layout.
//   - name.go: safe file names (sanitizing, suffixes, Content-Disposition).
//   - removetemp.go: RemoveTemp, for a forced exit.
//   - manifest.go: Manifest, Entry, ReadManifest, CreateManifest, RebuildManifest.
//   - private.go: OUT's private folder, and the default place of the state.
package store
