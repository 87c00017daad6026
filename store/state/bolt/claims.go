package bolt

import "encoding/binary"

// claimIndex finds a committed claim's record in the claims bucket by
// its content hash without holding the hashes: an 8-byte prefix of the hash
// maps to the record's key, and the record, which holds the whole hash,
// confirms it. A hash whose prefix belongs to another claim (about one
// chance in 2^64 per pair) is kept whole instead.
type claimIndex struct {
	byPrefix map[uint64]uint64
	whole    map[[32]byte]uint64
}

func newBoltClaimIndex() claimIndex {
	return claimIndex{byPrefix: make(map[uint64]uint64), whole: make(map[[32]byte]uint64)}
}

// add indexes the claim of sum, whose record is at seq. Each hash is
// claimed once, so a prefix that is taken belongs to another hash.
func (x *claimIndex) add(sum [32]byte, seq uint64) {
	p := binary.BigEndian.Uint64(sum[:8])
	if _, ok := x.byPrefix[p]; ok {
		x.whole[sum] = seq
		return
	}
	x.byPrefix[p] = seq
}

// find returns the key of the record that may hold sum's claim; the
// caller checks the hash in the record.
func (x *claimIndex) find(sum [32]byte) (seq uint64, ok bool) {
	if seq, ok := x.whole[sum]; ok {
		return seq, true
	}
	seq, ok = x.byPrefix[binary.BigEndian.Uint64(sum[:8])]
	return seq, ok
}
