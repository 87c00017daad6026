package bolt

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// The state file's binary encodings. One mutation is an op: a code byte and
// its fields. A journal record holds the ops of one State call; the same ops,
// replayed in order, are what the background commit writes into bbolt.
//
//	add:     seq[8] key[16] item
//	requeue: old[8] seq[8] key[16] item
//	done:    seq[8] doneSeq[8] key[16] kind:byte outcome [record:string]
//	claim:   sum[32] path:string by[16]   (version 2: without by, code 4)
//	meta:    meta:string
//
//	item:    kind:byte depth:varint hops:varint attempt:varint
//	         notBefore:varint(unix ns, 0 = zero time) url:string page:string origin:string
//	outcome: status:string bytes:varint error:string
//	string:  length:uvarint bytes
//
// A done op's kind byte has its high bit (recordFlag) set when a record
// (Outcome.Record) follows the outcome; version 2 files have none.
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
	opAdd     byte = 1
	opRequeue byte = 2
	opDone    byte = 3
	opClaim   byte = 4
	opMeta    byte = 5
	opClaimBy byte = 6 // a claim with the claiming item's key (version 3)
)

// recordFlag marks a done op's kind byte when a record follows.
const recordFlag = 0x80

// errBoltCodec reports an encoding that cannot be decoded.
var errBoltCodec = errors.New("malformed record")

// journalOp is one decoded mutation. Its slices point into the encoded ops.
type journalOp struct {
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
	kind   state.Kind // add, requeue, done
	status []byte     // done: the outcome's status
	bytes  int64      // done: the outcome's bytes
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// appendQueued appends a queue bucket value: the item's key, then the
// rest of the item.
func appendQueued(buf []byte, it *state.Item) []byte {
	buf = append(buf, it.Key[:]...)
	buf = append(buf, byte(it.Kind))
	buf = binary.AppendVarint(buf, int64(it.Depth))
	buf = binary.AppendVarint(buf, int64(it.Hops))
	buf = binary.AppendVarint(buf, int64(it.Attempt))
	buf = binary.AppendVarint(buf, nanos(it.NotBefore))
	buf = appendString(buf, it.URL)
	buf = appendString(buf, it.Page)
	return appendString(buf, it.Origin)
}

func appendAddOp(buf []byte, seq uint64, it *state.Item) []byte {
	buf = append(buf, opAdd)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	return appendQueued(buf, it)
}

func appendRequeueOp(buf []byte, old, seq uint64, it *state.Item) []byte {
	buf = append(buf, opRequeue)
	buf = binary.BigEndian.AppendUint64(buf, old)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	return appendQueued(buf, it)
}

func appendDoneOp(buf []byte, seq, doneSeq uint64, key state.Key, kind state.Kind, out *state.Outcome) []byte {
	buf = append(buf, opDone)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	buf = binary.BigEndian.AppendUint64(buf, doneSeq)
	buf = append(buf, key[:]...)
	if out.Record == nil {
		buf = append(buf, byte(kind))
	} else {
		buf = append(buf, byte(kind)|recordFlag)
	}
	buf = appendString(buf, string(out.Status))
	buf = binary.AppendVarint(buf, out.Bytes)
	buf = appendString(buf, out.Error)
	if out.Record != nil {
		buf = binary.AppendUvarint(buf, uint64(len(out.Record)))
		buf = append(buf, out.Record...)
	}
	return buf
}

func appendClaimOp(buf []byte, sum *[32]byte, path string, by state.Key) []byte {
	buf = append(buf, opClaimBy)
	buf = append(buf, sum[:]...)
	buf = appendString(buf, path)
	return append(buf, by[:]...)
}

// claimed is a content claim: the path saved for a hash and the key of the
// item that saved it (known is false for a version 2 claim, which has none).
type claimed struct {
	path  string
	by    state.Key
	known bool
}

func appendMetaOp(buf []byte, meta []byte) []byte {
	buf = append(buf, opMeta)
	buf = binary.AppendUvarint(buf, uint64(len(meta)))
	return append(buf, meta...)
}

// reader decodes fields from a byte slice; the first failure sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errBoltCodec
	}
	r.b = nil
}

// take returns the next n bytes.
func (r *reader) take(n int) []byte {
	if len(r.b) < n {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// since returns what was read since r.b was start.
func (r *reader) since(start []byte) []byte {
	if r.err != nil {
		return nil
	}
	n := len(start) - len(r.b)
	return start[:n:n]
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	return r.take(int(n))
}

// kind reads a Kind, which must be valid (a page, an image or a style
// sheet).
func (r *reader) kind() state.Kind {
	b := r.take(1)
	if len(b) == 0 || !state.Kind(b[0]).Valid() {
		r.fail()
		return 0
	}
	return state.Kind(b[0])
}

// doneKind reads a done op's kind byte: the Kind, and whether a record
// follows the outcome.
func (r *reader) doneKind() (state.Kind, bool) {
	if len(r.b) == 0 {
		r.fail()
		return 0, false
	}
	b := r.take(1)[0]
	k := state.Kind(b &^ recordFlag)
	if !k.Valid() {
		r.fail()
		return 0, false
	}
	return k, b&recordFlag != 0
}

// end fails unless everything was read.
func (r *reader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

// queued reads a queue bucket value into it; with it nil, it only checks
// the encoding, without allocating.
func (r *reader) queued(it *state.Item) state.Kind {
	key := r.take(len(state.Key{}))
	kind := r.kind()
	depth, hops, attempt, ns := r.varint(), r.varint(), r.varint(), r.varint()
	url, page, origin := r.bytes(), r.bytes(), r.bytes()
	if it != nil && r.err == nil {
		*it = state.Item{Kind: kind, Depth: int(depth), Hops: int(hops), Attempt: int(attempt),
			URL: string(url), Page: string(page), Origin: string(origin)}
		copy(it.Key[:], key)
		if ns != 0 {
			it.NotBefore = time.Unix(0, ns)
		}
	}
	return kind
}

// decodeQueued decodes a queue bucket entry.
func decodeQueued(k, v []byte) (seq uint64, it state.Item, err error) {
	if len(k) != 8 {
		return 0, it, errBoltCodec
	}
	r := reader{b: v}
	r.queued(&it)
	return binary.BigEndian.Uint64(k), it, r.end()
}

// decodeDone decodes a done bucket value.
func decodeDone(v []byte) (key state.Key, kind state.Kind, out state.Outcome, err error) {
	r := reader{b: v}
	copy(key[:], r.take(len(key)))
	kind, rec := r.doneKind()
	out.Status = state.Status(r.bytes())
	out.Bytes = r.varint()
	out.Error = string(r.bytes())
	if rec {
		out.Record = r.bytes()
	}
	return key, kind, out, r.end()
}

// decodeClaim decodes a claims bucket value: a content hash, the path
// saved for it and, since version 3, the key of the item that saved it.
func decodeClaim(v []byte) (sum [32]byte, c claimed, err error) {
	r := reader{b: v}
	copy(sum[:], r.take(len(sum)))
	c.path = string(r.bytes())
	if len(r.b) == len(c.by) {
		copy(c.by[:], r.take(len(c.by)))
		c.known = true
	}
	return sum, c, r.end()
}

// decodeOps calls fn for each op in ops, in order. The op passed to fn
// is reused between calls, and its slices point into ops.
func decodeOps(ops []byte, fn func(*journalOp) error) error {
	r := reader{b: ops}
	var op journalOp
	for len(r.b) > 0 {
		op = journalOp{code: r.take(1)[0]}
		switch op.code {
		case opAdd, opRequeue:
			op.seq = r.take(8)
			if op.code == opRequeue {
				op.seq2 = r.take(8)
			}
			start := r.b
			op.kind = r.queued(nil)
			op.value = r.since(start)
			op.key = op.value[:min(len(op.value), len(state.Key{}))]
		case opDone:
			op.seq, op.seq2 = r.take(8), r.take(8)
			start := r.b
			op.key = r.take(len(state.Key{}))
			kind, rec := r.doneKind()
			op.kind = kind
			op.status = r.bytes()
			op.bytes = r.varint()
			r.bytes()
			if rec {
				r.bytes()
			}
			op.value = r.since(start)
		case opClaim, opClaimBy:
			start := r.b
			op.key = r.take(32)
			r.bytes()
			if op.code == opClaimBy {
				r.take(len(state.Key{}))
			}
			op.value = r.since(start)
		case opMeta:
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
