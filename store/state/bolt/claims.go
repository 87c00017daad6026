package bolt

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// claimIndex finds a committed claim's record in the claims bucket by
// its content hash without holding the hashes: an 8-byte prefix of the hash
// maps to the record's key, and the record, which holds the whole hash,
// confirms it. A hash whose prefix belongs to another claim (about one
// chance in 2^64 per pair) is kept whole instead.
//
// The prefixes live in a sorted slice (16 bytes a claim) and, since the
// last merge, in a small map; a Go map would take about twice as much per
// claim, and a crawl of many distinct images holds one claim per image.
type claimIndex struct {
	sorted []claimSlot         // by prefix
	recent map[uint64]uint64   // added since the last merge
	whole  map[[32]byte]uint64 // hashes whose prefix another claim has
}

type claimSlot struct{ prefix, seq uint64 }

// minMerge is the fewest recent claims that are merged into the sorted
// slice; above it, a merge waits for an eighth of the slice's length, so
// that merging costs O(1) per claim on average.
const minMerge = 1024

func newBoltClaimIndex() claimIndex {
	return claimIndex{recent: make(map[uint64]uint64), whole: make(map[[32]byte]uint64)}
}

// add indexes the claim of sum, whose record is at seq. Each hash is
// claimed once, so a prefix that is taken belongs to another hash.
func (x *claimIndex) add(sum [32]byte, seq uint64) {
	p := binary.BigEndian.Uint64(sum[:8])
	if _, ok := x.prefix(p); ok {
		x.whole[sum] = seq
		return
	}
	x.recent[p] = seq
	if len(x.recent) >= max(minMerge, len(x.sorted)/8) {
		x.merge()
	}
}

// merge moves the recent claims into the sorted slice.
func (x *claimIndex) merge() {
	add := make([]claimSlot, 0, len(x.recent))
	for p, seq := range x.recent {
		add = append(add, claimSlot{p, seq})
	}
	slices.SortFunc(add, func(a, b claimSlot) int { return cmp.Compare(a.prefix, b.prefix) })
	// Merge into a slice of the exact size: append's doubling would keep
	// up to twice the memory for the rest of the crawl.
	out := make([]claimSlot, 0, len(x.sorted)+len(add))
	i, j := 0, 0
	for i < len(x.sorted) && j < len(add) {
		if x.sorted[i].prefix < add[j].prefix {
			out = append(out, x.sorted[i])
			i++
		} else {
			out = append(out, add[j])
			j++
		}
	}
	out = append(append(out, x.sorted[i:]...), add[j:]...)
	x.sorted = out
	clear(x.recent)
}

// prefix returns the record key indexed under the prefix p.
func (x *claimIndex) prefix(p uint64) (uint64, bool) {
	if seq, ok := x.recent[p]; ok {
		return seq, true
	}
	i, ok := slices.BinarySearchFunc(x.sorted, p, func(s claimSlot, p uint64) int { return cmp.Compare(s.prefix, p) })
	if !ok {
		return 0, false
	}
	return x.sorted[i].seq, true
}

// find returns the key of the record that may hold sum's claim; the
// caller checks the hash in the record.
func (x *claimIndex) find(sum [32]byte) (seq uint64, ok bool) {
	if seq, ok := x.whole[sum]; ok {
		return seq, true
	}
	return x.prefix(binary.BigEndian.Uint64(sum[:8]))
}
