// Package state is the crawl's memory behind one interface, State: the seen
// set (16-byte Keys of normalized URLs), the frontier of Items with its
// breadth-first order, acknowledgements with their Outcome and Status, and
// the content index (ClaimContent). It knows nothing of files or HTTP.
//
// Implementations: Memory here (nothing survives the process; tests and
// `--state none`), store/state/bolt (a bbolt file: every crawl resumable, the
// default) and store/state/redis (many processes and machines on one job).
// Every implementation passes the same conformance suite, store/state/statetest.
//
// Files:
//   - state.go: State, Key, Kind, Item, Status, Outcome, Counts.
//   - memory.go: Memory.
//   - queue.go: Queue, the in-memory frontier Memory and bolt share.
package state
