// Package bolt keeps a crawl's state in a bbolt file, so that every crawl
// resumes after Ctrl-C, kill -9 or a power cut: Open returns a State that
// implements state.State, Remove deletes a state file (as --fresh does).
//
// Files:
//   - bolt.go: State, Options, Open, Close, Remove; loading and commits.
//   - state.go: the state.State methods.
//   - journal.go: the journal every change reaches before it is acknowledged.
//   - codec.go: the binary encodings of journal ops and bucket values.
//   - tx.go: applying ops in a bbolt transaction; the file's buckets,
//     version and upgrade from version 1.
//   - claims.go: the in-memory index of content claims.
package bolt
