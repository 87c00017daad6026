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
//	add, requeue: key[16] seq:uvarint item
//	done:         key[16] kind:byte outcome
//	claim:        sum[32] path:string
//	meta:         meta:string
//
//	item:    kind:byte depth:varint hops:varint attempt:varint
//	         notBefore:varint(unix ns, 0 = zero time) url:string page:string origin:string
//	outcome: status:string bytes:varint error:string
//	string:  length:uvarint bytes
const (
	boltOpAdd     byte = 1
	boltOpRequeue byte = 2
	boltOpDone    byte = 3
	boltOpClaim   byte = 4
	boltOpMeta    byte = 5
)

// errBoltCodec reports an encoding that cannot be decoded.
var errBoltCodec = errors.New("malformed record")

// boltOp is one decoded mutation.
type boltOp struct {
	code byte
	seq  uint64
	item Item    // add and requeue; Key and Kind for done
	out  Outcome // done
	sum  [32]byte
	path string // claim
	meta []byte
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

// boltAppendItem appends the fields of it other than its key.
func boltAppendItem(buf []byte, it *Item) []byte {
	buf = append(buf, byte(it.Kind))
	buf = binary.AppendVarint(buf, int64(it.Depth))
	buf = binary.AppendVarint(buf, int64(it.Hops))
	buf = binary.AppendVarint(buf, int64(it.Attempt))
	buf = binary.AppendVarint(buf, boltNanos(it.NotBefore))
	buf = boltAppendString(buf, it.URL)
	buf = boltAppendString(buf, it.Page)
	return boltAppendString(buf, it.Origin)
}

// boltAppendQueued appends the queue bucket's value for an item: its
// position in the queue, then the item.
func boltAppendQueued(buf []byte, seq uint64, it *Item) []byte {
	buf = binary.AppendUvarint(buf, seq)
	return boltAppendItem(buf, it)
}

func boltAppendOutcome(buf []byte, out *Outcome) []byte {
	buf = boltAppendString(buf, out.Status)
	buf = binary.AppendVarint(buf, out.Bytes)
	return boltAppendString(buf, out.Error)
}

// boltAppendItemOp appends an add or requeue op.
func boltAppendItemOp(buf []byte, code byte, seq uint64, it *Item) []byte {
	buf = append(buf, code)
	buf = append(buf, it.Key[:]...)
	return boltAppendQueued(buf, seq, it)
}

func boltAppendDoneOp(buf []byte, key Key, kind Kind, out *Outcome) []byte {
	buf = append(buf, boltOpDone)
	buf = append(buf, key[:]...)
	buf = append(buf, byte(kind))
	return boltAppendOutcome(buf, out)
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

func (r *boltReader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *boltReader) fixed(dst []byte) {
	if len(r.b) < len(dst) {
		r.fail()
		return
	}
	copy(dst, r.b)
	r.b = r.b[len(dst):]
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
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *boltReader) string() string { return string(r.bytes()) }

func (r *boltReader) item(it *Item) {
	it.Kind = Kind(r.byte())
	it.Depth = int(r.varint())
	it.Hops = int(r.varint())
	it.Attempt = int(r.varint())
	if ns := r.varint(); ns != 0 {
		it.NotBefore = time.Unix(0, ns)
	} else {
		it.NotBefore = time.Time{}
	}
	it.URL = r.string()
	it.Page = r.string()
	it.Origin = r.string()
	if it.Kind != KindPage && it.Kind != KindImage {
		r.fail()
	}
}

func (r *boltReader) outcome(out *Outcome) {
	out.Status = r.string()
	out.Bytes = r.varint()
	out.Error = r.string()
}

// boltDecodeQueued decodes a queue bucket value.
func boltDecodeQueued(key, v []byte) (seq uint64, it Item, err error) {
	if len(key) != len(it.Key) {
		return 0, it, errBoltCodec
	}
	copy(it.Key[:], key)
	r := boltReader{b: v}
	seq = r.uvarint()
	r.item(&it)
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return seq, it, r.err
}

// boltDecodeOps calls fn for each op in ops, in order. The op passed to fn is
// reused between calls; fn must copy what it keeps (strings are fresh).
func boltDecodeOps(ops []byte, fn func(*boltOp) error) error {
	r := boltReader{b: ops}
	var op boltOp
	for len(r.b) > 0 {
		op = boltOp{code: r.byte()}
		switch op.code {
		case boltOpAdd, boltOpRequeue:
			r.fixed(op.item.Key[:])
			op.seq = r.uvarint()
			r.item(&op.item)
		case boltOpDone:
			r.fixed(op.item.Key[:])
			op.item.Kind = Kind(r.byte())
			r.outcome(&op.out)
			if op.item.Kind != KindPage && op.item.Kind != KindImage {
				r.fail()
			}
		case boltOpClaim:
			r.fixed(op.sum[:])
			op.path = r.string()
		case boltOpMeta:
			op.meta = r.bytes()
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
