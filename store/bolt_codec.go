package store

import (
	"encoding/binary"
	"errors"
	"time"
)

// The Bolt state's binary encodings. One mutation is an op: a code byte and
// its fields. A journal record holds the ops of one State call; the same ops,
// replayed in order, are what the background commit writes into bbolt.
//
//	add:     seq[8] key[16] item
//	requeue: old[8] seq[8] key[16] item
//	done:    seq[8] doneSeq[8] key[16] kind:byte outcome
//	claim:   sum[32] path:string
//	meta:    meta:string
//
//	item:    kind:byte depth:varint hops:varint attempt:varint
//	         notBefore:varint(unix ns, 0 = zero time) url:string page:string origin:string
//	outcome: status:string bytes:varint error:string
//	string:  length:uvarint bytes
//
// A seq is a big-endian uint64 from one counter: the queue bucket is keyed
// by the seq an item was queued with, the done bucket by a seq taken when it
// was acknowledged. The claims bucket is keyed by its own bbolt sequence,
// taken when the claim is committed. Keys that grow keep bbolt's writes at
// the edges of the tree, where random keys would rewrite most of it on
// every commit. The
// fields are laid out so that the bucket keys and values are slices of the
// op: a commit puts them without copying.
const (
	boltOpAdd     byte = 1
	boltOpRequeue byte = 2
	boltOpDone    byte = 3
	boltOpClaim   byte = 4
	boltOpMeta    byte = 5
)

// errBoltCodec reports an encoding that cannot be decoded.
var errBoltCodec = errors.New("malformed record")

// boltOp is one decoded mutation. Its slices point into the encoded ops.
type boltOp struct {
	code byte
	// seq is the queue bucket key the op adds (add) or removes
	// (requeue, done).
	seq []byte
	// seq2 is the key the op puts: in the queue bucket for requeue, in
	// the done bucket for done.
	seq2 []byte
	// key is the item's Key (add, requeue, done) or the content hash
	// (claim).
	key []byte
	// value is what the op puts: for add and requeue the queue value
	// (key and item), for done the done value (key, kind and outcome),
	// for claim the claims value (hash and path), for meta the metadata.
	value  []byte
	kind   Kind   // add, requeue, done
	status []byte // done: the outcome's status
	bytes  int64  // done: the outcome's bytes
}

func boltAppendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func boltNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// boltAppendQueued appends a queue bucket value: the item's key, then the
// rest of the item.
func boltAppendQueued(buf []byte, it *Item) []byte {
	buf = append(buf, it.Key[:]...)
	buf = append(buf, byte(it.Kind))
	buf = binary.AppendVarint(buf, int64(it.Depth))
	buf = binary.AppendVarint(buf, int64(it.Hops))
	buf = binary.AppendVarint(buf, int64(it.Attempt))
	buf = binary.AppendVarint(buf, boltNanos(it.NotBefore))
	buf = boltAppendString(buf, it.URL)
	buf = boltAppendString(buf, it.Page)
	return boltAppendString(buf, it.Origin)
}

func boltAppendAddOp(buf []byte, seq uint64, it *Item) []byte {
	buf = append(buf, boltOpAdd)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	return boltAppendQueued(buf, it)
}

func boltAppendRequeueOp(buf []byte, old, seq uint64, it *Item) []byte {
	buf = append(buf, boltOpRequeue)
	buf = binary.BigEndian.AppendUint64(buf, old)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	return boltAppendQueued(buf, it)
}

func boltAppendDoneOp(buf []byte, seq, doneSeq uint64, key Key, kind Kind, out *Outcome) []byte {
	buf = append(buf, boltOpDone)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	buf = binary.BigEndian.AppendUint64(buf, doneSeq)
	buf = append(buf, key[:]...)
	buf = append(buf, byte(kind))
	buf = boltAppendString(buf, out.Status)
	buf = binary.AppendVarint(buf, out.Bytes)
	return boltAppendString(buf, out.Error)
}

func boltAppendClaimOp(buf []byte, sum *[32]byte, path string) []byte {
	buf = append(buf, boltOpClaim)
	buf = append(buf, sum[:]...)
	return boltAppendString(buf, path)
}

func boltAppendMetaOp(buf []byte, meta []byte) []byte {
	buf = append(buf, boltOpMeta)
	buf = binary.AppendUvarint(buf, uint64(len(meta)))
	return append(buf, meta...)
}

// boltReader decodes fields from a byte slice; the first failure sticks.
type boltReader struct {
	b   []byte
	err error
}

func (r *boltReader) fail() {
	if r.err == nil {
		r.err = errBoltCodec
	}
	r.b = nil
}

// take returns the next n bytes.
func (r *boltReader) take(n int) []byte {
	if len(r.b) < n {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// since returns what was read since r.b was start.
func (r *boltReader) since(start []byte) []byte {
	if r.err != nil {
		return nil
	}
	n := len(start) - len(r.b)
	return start[:n:n]
}

func (r *boltReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *boltReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *boltReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	return r.take(int(n))
}

// kind reads a Kind, which must be a page or an image.
func (r *boltReader) kind() Kind {
	b := r.take(1)
	if len(b) == 0 || (Kind(b[0]) != KindPage && Kind(b[0]) != KindImage) {
		r.fail()
		return 0
	}
	return Kind(b[0])
}

// end fails unless everything was read.
func (r *boltReader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

// queued reads a queue bucket value into it; with it nil, it only checks
// the encoding, without allocating.
func (r *boltReader) queued(it *Item) Kind {
	key := r.take(len(Key{}))
	kind := r.kind()
	depth, hops, attempt, ns := r.varint(), r.varint(), r.varint(), r.varint()
	url, page, origin := r.bytes(), r.bytes(), r.bytes()
	if it != nil && r.err == nil {
		*it = Item{Kind: kind, Depth: int(depth), Hops: int(hops), Attempt: int(attempt),
			URL: string(url), Page: string(page), Origin: string(origin)}
		copy(it.Key[:], key)
		if ns != 0 {
			it.NotBefore = time.Unix(0, ns)
		}
	}
	return kind
}

// boltDecodeQueued decodes a queue bucket entry.
func boltDecodeQueued(k, v []byte) (seq uint64, it Item, err error) {
	if len(k) != 8 {
		return 0, it, errBoltCodec
	}
	r := boltReader{b: v}
	r.queued(&it)
	return binary.BigEndian.Uint64(k), it, r.end()
}

// boltDecodeDone decodes a done bucket value.
func boltDecodeDone(v []byte) (key Key, kind Kind, out Outcome, err error) {
	r := boltReader{b: v}
	copy(key[:], r.take(len(key)))
	kind = r.kind()
	out.Status = string(r.bytes())
	out.Bytes = r.varint()
	out.Error = string(r.bytes())
	return key, kind, out, r.end()
}

// boltDecodeClaim decodes a claims bucket value: a content hash and the
// path saved for it.
func boltDecodeClaim(v []byte) (sum [32]byte, path string, err error) {
	r := boltReader{b: v}
	copy(sum[:], r.take(len(sum)))
	path = string(r.bytes())
	return sum, path, r.end()
}

// boltDecodeOps calls fn for each op in ops, in order. The op passed to fn
// is reused between calls, and its slices point into ops.
func boltDecodeOps(ops []byte, fn func(*boltOp) error) error {
	r := boltReader{b: ops}
	var op boltOp
	for len(r.b) > 0 {
		op = boltOp{code: r.take(1)[0]}
		switch op.code {
		case boltOpAdd, boltOpRequeue:
			op.seq = r.take(8)
			if op.code == boltOpRequeue {
				op.seq2 = r.take(8)
			}
			start := r.b
			op.kind = r.queued(nil)
			op.value = r.since(start)
			op.key = op.value[:min(len(op.value), len(Key{}))]
		case boltOpDone:
			op.seq, op.seq2 = r.take(8), r.take(8)
			start := r.b
			op.key = r.take(len(Key{}))
			op.kind = r.kind()
			op.status = r.bytes()
			op.bytes = r.varint()
			r.bytes()
			op.value = r.since(start)
		case boltOpClaim:
			start := r.b
			op.key = r.take(32)
			r.bytes()
			op.value = r.since(start)
		case boltOpMeta:
			op.value = r.bytes()
		default:
			r.fail()
		}
		if r.err != nil {
			return r.err
		}
		if err := fn(&op); err != nil {
			return err
		}
	}
	return nil
}
