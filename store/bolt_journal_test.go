package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// boltTestOp is a fully decoded op.
type boltTestOp struct {
	code byte
	seq  uint64  // add: the queue seq; requeue, done: the old queue seq
	seq2 uint64  // requeue: the new queue seq; done: the done seq
	item Item    // add and requeue; Key and Kind for done
	out  Outcome // done
	sum  [32]byte
	path string // claim
	meta []byte
}

// boltTestOps returns one op of each kind, encoded, and the ops decoded
// back must equal.
func boltTestOps() ([]byte, []boltTestOp) {
	nb := time.Unix(0, 1_700_000_000_123_456_789)
	add := Item{Key: KeyOf("http://h/a"), URL: "http://h/a", Kind: KindPage, Depth: 3, Page: "http://h/", Origin: "http://h/old", Hops: 2, Attempt: 1, NotBefore: nb}
	req := Item{Key: KeyOf("http://h/i.png"), URL: "http://h/i.png", Kind: KindImage, Depth: -1}
	out := Outcome{Status: "failed", Bytes: -5, Error: "fetch: 503"}
	sum := [32]byte{9, 8, 7}
	want := []boltTestOp{
		{code: boltOpAdd, seq: 7, item: add},
		{code: boltOpRequeue, seq: 7, seq2: 1 << 40, item: req},
		{code: boltOpDone, seq: 1 << 40, seq2: 1<<40 + 1, item: Item{Key: add.Key, Kind: KindPage}, out: out},
		{code: boltOpClaim, sum: sum, path: "h/ü.png"},
		{code: boltOpMeta, meta: []byte(`{"a":1}`)},
		{code: boltOpMeta, meta: []byte{}},
	}
	var enc []byte
	enc = boltAppendAddOp(enc, 7, &add)
	enc = boltAppendRequeueOp(enc, 7, 1<<40, &req)
	enc = boltAppendDoneOp(enc, 1<<40, 1<<40+1, add.Key, KindPage, &out)
	enc = boltAppendClaimOp(enc, &sum, "h/ü.png")
	enc = boltAppendMetaOp(enc, []byte(`{"a":1}`))
	enc = boltAppendMetaOp(enc, nil)
	return enc, want
}

// boltTestCollect decodes ops into a slice, checking that the fields an op
// carries agree with its encoded value.
func boltTestCollect(ops []byte) ([]boltTestOp, error) {
	var got []boltTestOp
	err := boltDecodeOps(ops, func(op *boltOp) error {
		d := boltTestOp{code: op.code}
		var err error
		switch op.code {
		case boltOpAdd, boltOpRequeue:
			d.seq, d.item, err = boltDecodeQueued(op.seq, op.value)
			if len(op.seq2) == 8 {
				d.seq2 = binary.BigEndian.Uint64(op.seq2)
			}
			if err == nil && (d.item.Kind != op.kind || !bytes.Equal(op.key, d.item.Key[:])) {
				err = fmt.Errorf("op kind %v and key %x, item %+v", op.kind, op.key, d.item)
			}
		case boltOpDone:
			d.seq, d.seq2 = binary.BigEndian.Uint64(op.seq), binary.BigEndian.Uint64(op.seq2)
			d.item.Key, d.item.Kind, d.out, err = boltDecodeDone(op.value)
			if err == nil && (d.out.Status != string(op.status) || d.out.Bytes != op.bytes || d.item.Kind != op.kind || !bytes.Equal(op.key, d.item.Key[:])) {
				err = fmt.Errorf("op %q %d %v %x, value %+v", op.status, op.bytes, op.kind, op.key, d)
			}
		case boltOpClaim:
			d.sum, d.path, err = boltDecodeClaim(op.value)
			if err == nil && !bytes.Equal(op.key, d.sum[:]) {
				err = fmt.Errorf("op key %x, claim of %x", op.key, d.sum)
			}
		case boltOpMeta:
			d.meta = append([]byte{}, op.value...)
		}
		got = append(got, d)
		return err
	})
	return got, err
}

func TestBoltCodecRoundTrip(t *testing.T) {
	enc, want := boltTestOps()
	got, err := boltTestCollect(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("decoded %d ops, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.item.NotBefore.Equal(w.item.NotBefore) {
			t.Errorf("op %d: NotBefore %v, want %v", i, g.item.NotBefore, w.item.NotBefore)
		}
		g.item.NotBefore, w.item.NotBefore = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("op %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	for cut := range len(enc) {
		if got, err := boltTestCollect(enc[:cut]); err == nil && len(got) >= len(want) {
			t.Errorf("the first %d bytes decoded to all %d ops", cut, len(got))
		}
	}
	if _, err := boltTestCollect([]byte{99}); !errors.Is(err, errBoltCodec) {
		t.Errorf("unknown op: %v", err)
	}
}

// boltTestJournal builds a journal of gen with one record per payload.
func boltTestJournal(gen uint64, payloads ...[]byte) []byte {
	data := binary.LittleEndian.AppendUint64([]byte(boltJournalMagic), gen)
	for _, p := range payloads {
		data = append(data, boltEndRecord(append(boltBeginRecord(nil), p...))...)
	}
	return data
}

func TestBoltParseJournal(t *testing.T) {
	a := boltAppendMetaOp(nil, []byte("first"))
	b := boltAppendClaimOp(nil, &[32]byte{1}, "second")
	good := boltTestJournal(42, a, b)
	second := boltJournalHeader + boltRecordHeader + len(a) // offset of the second record
	flip := func(data []byte, at int) []byte {
		data = bytes.Clone(data)
		data[at] ^= 0x40
		return data
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		wantGen  uint64
		wantOps  []byte
		wantTorn int
		wantErr  string
	}{
		{name: "two records", data: good, wantGen: 42, wantOps: append(bytes.Clone(a), b...)},
		{name: "header only", data: good[:boltJournalHeader], wantGen: 42},
		{name: "empty file", data: nil, wantTorn: 0},
		{name: "torn header", data: good[:10], wantTorn: 10},
		{name: "zeroed header", data: make([]byte, 40), wantTorn: 40},
		{name: "torn record header", data: good[:second+5], wantGen: 42, wantOps: a, wantTorn: 5},
		{name: "torn payload", data: good[:len(good)-1], wantGen: 42, wantOps: a, wantTorn: len(good) - 1 - second},
		{name: "bad checksum at the end", data: flip(good, len(good)-1), wantGen: 42, wantOps: a, wantTorn: len(good) - second},
		{name: "zeros at the end", data: append(bytes.Clone(good), make([]byte, 30)...), wantGen: 42, wantOps: append(bytes.Clone(a), b...), wantTorn: 30},
		{name: "bad checksum in the middle", data: flip(good, second-1), wantErr: "checksum mismatch"},
		{name: "zero length in the middle", data: append(boltTestJournal(1), append(make([]byte, 8), good[boltJournalHeader:]...)...), wantErr: "bad length 0"},
		{name: "bad op with good checksum", data: boltTestJournal(1, []byte{77}), wantErr: "malformed record"},
		{name: "bad magic", data: append([]byte("IMGCJNL\x01"), good[8:]...), wantErr: "not an imgcrawl journal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gen, ops, torn, err := boltParseJournal(tc.data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if gen != tc.wantGen || !bytes.Equal(ops, tc.wantOps) || torn != tc.wantTorn {
				t.Errorf("got gen %d, ops %q, torn %d; want %d, %q, %d", gen, ops, torn, tc.wantGen, tc.wantOps, tc.wantTorn)
			}
		})
	}
}

// FuzzBoltJournal feeds arbitrary journal files to the parser that OpenBolt
// runs on whatever a crash left behind: it must never panic, and what it
// accepts must decode.
func FuzzBoltJournal(f *testing.F) {
	enc, _ := boltTestOps()
	good := boltTestJournal(3, enc, boltAppendMetaOp(nil, []byte("x")))
	f.Add(good)
	f.Add(good[:len(good)-4])
	f.Add(boltTestJournal(1))
	f.Add(append(bytes.Clone(good), 0, 0, 0))
	f.Add([]byte{})
	f.Add([]byte(boltJournalMagic + "\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ops, torn, err := boltParseJournal(data)
		if err != nil {
			return
		}
		if torn < 0 || torn > len(data) {
			t.Fatalf("torn = %d of %d bytes", torn, len(data))
		}
		if _, err := boltTestCollect(ops); err != nil {
			t.Fatalf("accepted ops do not decode: %v", err)
		}
	})
}

// FuzzBoltOps checks that arbitrary bytes never make the op decoder panic,
// and that whatever decodes re-encodes to ops that decode and take no more
// bytes (the encoder writes canonical varints).
func FuzzBoltOps(f *testing.F) {
	enc, _ := boltTestOps()
	f.Add(enc)
	f.Add(enc[:20])
	f.Add([]byte{boltOpMeta, 200, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := boltTestCollect(data)
		if err != nil {
			return
		}
		var again []byte
		for i := range ops {
			op := &ops[i]
			switch op.code {
			case boltOpAdd:
				again = boltAppendAddOp(again, op.seq, &op.item)
			case boltOpRequeue:
				again = boltAppendRequeueOp(again, op.seq, op.seq2, &op.item)
			case boltOpDone:
				again = boltAppendDoneOp(again, op.seq, op.seq2, op.item.Key, op.item.Kind, &op.out)
			case boltOpClaim:
				again = boltAppendClaimOp(again, &op.sum, op.path)
			case boltOpMeta:
				again = boltAppendMetaOp(again, op.meta)
			}
		}
		if _, err := boltTestCollect(again); err != nil {
			t.Fatalf("re-encoded ops do not decode: %v", err)
		}
		if len(again) > len(data) {
			t.Fatalf("re-encoding grew %d bytes to %d", len(data), len(again))
		}
	})
}
