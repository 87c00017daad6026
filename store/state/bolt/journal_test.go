package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// testOp is a fully decoded op.
type testOp struct {
	code byte
	seq  uint64        // add: the queue seq; requeue, done: the old queue seq
	seq2 uint64        // requeue: the new queue seq; done: the done seq
	item state.Item    // add and requeue; Key and Kind for done
	out  state.Outcome // done
	sum  [32]byte
	path string    // claim
	by   state.Key // claim (version 3)
	meta []byte
}

// testOps returns one op of each kind, encoded, and the ops decoded
// back must equal.
func testOps() ([]byte, []testOp) {
	nb := time.Unix(0, 1_700_000_000_123_456_789)
	add := state.Item{Key: state.KeyOf("http://h/a"), URL: "http://h/a", Kind: state.KindPage, Depth: 3, Page: "http://h/", Origin: "http://h/old", Hops: 2, Attempt: 1, NotBefore: nb}
	req := state.Item{Key: state.KeyOf("http://h/i.png"), URL: "http://h/i.png", Kind: state.KindImage, Depth: -1}
	out := state.Outcome{Status: state.Failed, Bytes: -5, Error: "fetch: 503"}
	sum := [32]byte{9, 8, 7}
	want := []testOp{
		{code: opAdd, seq: 7, item: add},
		{code: opRequeue, seq: 7, seq2: 1 << 40, item: req},
		{code: opDone, seq: 1 << 40, seq2: 1<<40 + 1, item: state.Item{Key: add.Key, Kind: state.KindPage}, out: out},
		{code: opClaimBy, sum: sum, path: "h/ü.png", by: state.KeyOf("h/ü.png")},
		{code: opMeta, meta: []byte(`{"a":1}`)},
		{code: opMeta, meta: []byte{}},
	}
	var enc []byte
	enc = appendAddOp(enc, 7, &add)
	enc = appendRequeueOp(enc, 7, 1<<40, &req)
	enc = appendDoneOp(enc, 1<<40, 1<<40+1, add.Key, state.KindPage, &out)
	enc = appendClaimOp(enc, &sum, "h/ü.png", state.KeyOf("h/ü.png"))
	enc = appendMetaOp(enc, []byte(`{"a":1}`))
	enc = appendMetaOp(enc, nil)
	return enc, want
}

// testCollect decodes ops into a slice, checking that the fields an op
// carries agree with its encoded value.
func testCollect(ops []byte) ([]testOp, error) {
	var got []testOp
	err := decodeOps(ops, func(op *journalOp) error {
		d := testOp{code: op.code}
		var err error
		switch op.code {
		case opAdd, opRequeue:
			d.seq, d.item, err = decodeQueued(op.seq, op.value)
			if len(op.seq2) == 8 {
				d.seq2 = binary.BigEndian.Uint64(op.seq2)
			}
			if err == nil && (d.item.Kind != op.kind || !bytes.Equal(op.key, d.item.Key[:])) {
				err = fmt.Errorf("op kind %v and key %x, item %+v", op.kind, op.key, d.item)
			}
		case opDone:
			d.seq, d.seq2 = binary.BigEndian.Uint64(op.seq), binary.BigEndian.Uint64(op.seq2)
			d.item.Key, d.item.Kind, d.out, err = decodeDone(op.value)
			if err == nil && (string(d.out.Status) != string(op.status) || d.out.Bytes != op.bytes || d.item.Kind != op.kind || !bytes.Equal(op.key, d.item.Key[:])) {
				err = fmt.Errorf("op %q %d %v %x, value %+v", op.status, op.bytes, op.kind, op.key, d)
			}
		case opClaim, opClaimBy:
			var c claimed
			d.sum, c, err = decodeClaim(op.value)
			d.path, d.by = c.path, c.by
			if err == nil && !bytes.Equal(op.key, d.sum[:]) {
				err = fmt.Errorf("op key %x, claim of %x", op.key, d.sum)
			}
		case opMeta:
			d.meta = append([]byte{}, op.value...)
		}
		got = append(got, d)
		return err
	})
	return got, err
}

func TestBoltCodecRoundTrip(t *testing.T) {
	enc, want := testOps()
	got, err := testCollect(enc)
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
		if got, err := testCollect(enc[:cut]); err == nil && len(got) >= len(want) {
			t.Errorf("the first %d bytes decoded to all %d ops", cut, len(got))
		}
	}
	if _, err := testCollect([]byte{99}); !errors.Is(err, errBoltCodec) {
		t.Errorf("unknown op: %v", err)
	}
}

// testJournal builds a journal of gen with one record per payload.
func testJournal(gen uint64, payloads ...[]byte) []byte {
	data := binary.LittleEndian.AppendUint64([]byte(journalMagic), gen)
	for _, p := range payloads {
		data = append(data, endRecord(append(beginRecord(nil), p...))...)
	}
	return data
}

func TestBoltParseJournal(t *testing.T) {
	a := appendMetaOp(nil, []byte("first"))
	b := appendClaimOp(nil, &[32]byte{1}, "second", state.KeyOf("second"))
	good := testJournal(42, a, b)
	second := journalHeader + recordHeader + len(a) // offset of the second record
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
		{name: "header only", data: good[:journalHeader], wantGen: 42},
		{name: "empty file", data: nil, wantTorn: 0},
		{name: "torn header", data: good[:10], wantTorn: 10},
		{name: "zeroed header", data: make([]byte, 40), wantTorn: 40},
		{name: "torn record header", data: good[:second+5], wantGen: 42, wantOps: a, wantTorn: 5},
		{name: "torn payload", data: good[:len(good)-1], wantGen: 42, wantOps: a, wantTorn: len(good) - 1 - second},
		{name: "bad checksum at the end", data: flip(good, len(good)-1), wantGen: 42, wantOps: a, wantTorn: len(good) - second},
		{name: "zeros at the end", data: append(bytes.Clone(good), make([]byte, 30)...), wantGen: 42, wantOps: append(bytes.Clone(a), b...), wantTorn: 30},
		{name: "bad checksum in the middle", data: flip(good, second-1), wantErr: "checksum mismatch"},
		{name: "zero length in the middle", data: append(testJournal(1), append(make([]byte, 8), good[journalHeader:]...)...), wantErr: "bad length 0"},
		{name: "bad op with good checksum", data: testJournal(1, []byte{77}), wantErr: "malformed record"},
		{name: "bad magic", data: append([]byte("IMGCJNL\x01"), good[8:]...), wantErr: "not an imgcrawl journal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gen, ops, torn, err := parseJournal(tc.data)
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

// FuzzBoltJournal feeds arbitrary journal files to the parser that Open
// runs on whatever a crash left behind: it must never panic, and what it
// accepts must decode.
func FuzzBoltJournal(f *testing.F) {
	enc, _ := testOps()
	good := testJournal(3, enc, appendMetaOp(nil, []byte("x")))
	f.Add(good)
	f.Add(good[:len(good)-4])
	f.Add(testJournal(1))
	f.Add(append(bytes.Clone(good), 0, 0, 0))
	f.Add([]byte{})
	f.Add([]byte(journalMagic + "\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ops, torn, err := parseJournal(data)
		if err != nil {
			return
		}
		if torn < 0 || torn > len(data) {
			t.Fatalf("torn = %d of %d bytes", torn, len(data))
		}
		if _, err := testCollect(ops); err != nil {
			t.Fatalf("accepted ops do not decode: %v", err)
		}
	})
}

// FuzzBoltOps checks that arbitrary bytes never make the op decoder panic,
// and that whatever decodes re-encodes to ops that decode and take no more
// bytes (the encoder writes canonical varints).
func FuzzBoltOps(f *testing.F) {
	enc, _ := testOps()
	f.Add(enc)
	f.Add(enc[:20])
	f.Add([]byte{opMeta, 200, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := testCollect(data)
		if err != nil {
			return
		}
		var again []byte
		for i := range ops {
			op := &ops[i]
			switch op.code {
			case opAdd:
				again = appendAddOp(again, op.seq, &op.item)
			case opRequeue:
				again = appendRequeueOp(again, op.seq, op.seq2, &op.item)
			case opDone:
				again = appendDoneOp(again, op.seq, op.seq2, op.item.Key, op.item.Kind, &op.out)
			case opClaim: // version 2: no claimer
				again = appendString(append(append(again, opClaim), op.sum[:]...), op.path)
			case opClaimBy:
				again = appendClaimOp(again, &op.sum, op.path, op.by)
			case opMeta:
				again = appendMetaOp(again, op.meta)
			}
		}
		if _, err := testCollect(again); err != nil {
			t.Fatalf("re-encoded ops do not decode: %v", err)
		}
		if len(again) > len(data) {
			t.Fatalf("re-encoding grew %d bytes to %d", len(data), len(again))
		}
	})
}
