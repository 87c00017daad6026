package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"testing"
)

// memSink keeps objects in memory; each appears whole once Put has read it
// all. With exists set it is an Exister too (see existSink).
type memSink struct {
	mu   sync.Mutex
	objs map[string][]byte
	meta map[string]Object
	puts int
	fail error
}

func newMemSink() *memSink {
	return &memSink{objs: map[string][]byte{}, meta: map[string]Object{}}
}

func (s *memSink) Put(ctx context.Context, obj Object, r io.Reader) error {
	if s.fail != nil {
		return s.fail
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if obj.Size >= 0 && int64(len(b)) != obj.Size {
		return errors.New("size mismatch")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objs[obj.Name], s.meta[obj.Name] = b, obj
	s.puts++
	return nil
}

type existSink struct{ *memSink }

func (s existSink) Exists(_ context.Context, name, sha string) (bool, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.objs[name]
	return ok, ok && s.meta[name].SHA256 == sha, nil
}

// TestSinkReceivesKeptImagesOnce: a kept image goes to the sink with its
// name, size and type, and nothing is linked under Dir; the same content
// again is a duplicate, not put twice; a non-image is not put.
func TestSinkReceivesKeptImagesOnce(t *testing.T) {
	ctx := context.Background()
	sink := newMemSink()
	tempModes(t, WriterConfig{Layout: LayoutMirror, Sink: sink}, func(t *testing.T, w *Writer) {
		*sink = *newMemSink()
		data := testPNG(t, 8, 1)
		res, err := w.Save(ctx, imageAt(t, "http://h/a/b.png", len(data)), bytes.NewReader(data))
		if err != nil || res.Status != "saved" || res.Path != "h/a/b.png" {
			t.Fatalf("Save = %+v, %v", res, err)
		}
		sum := sha256.Sum256(data)
		want := Object{Name: "h/a/b.png", Size: int64(len(data)), ContentType: "image/png", SHA256: hex.EncodeToString(sum[:])}
		if got := sink.meta[res.Path]; got != want || !bytes.Equal(sink.objs[res.Path], data) {
			t.Errorf("sink holds %+v (%d bytes), want %+v", got, len(sink.objs[res.Path]), want)
		}
		dup, err := w.Save(ctx, imageAt(t, "http://h/c.png", -1), bytes.NewReader(data))
		if err != nil || dup.Status != "duplicate" || dup.Path != "h/a/b.png" {
			t.Errorf("Save of the same content = %+v, %v; want a duplicate of h/a/b.png", dup, err)
		}
		if _, err := w.Save(ctx, imageAt(t, "http://h/x.png", 5), bytes.NewReader([]byte("hello"))); err != nil {
			t.Fatal(err)
		}
		if sink.puts != 1 {
			t.Errorf("%d puts, want 1", sink.puts)
		}
		if got := images(t, w.cfg.Dir); len(got) != 0 {
			t.Errorf("files under Dir: %v", got)
		}
	})
}

// TestSinkNamesNeverClash: two contents under one name get two names;
// with an Exister, an object already in the sink keeps its name too.
func TestSinkNamesNeverClash(t *testing.T) {
	ctx := context.Background()
	for _, exister := range []bool{false, true} {
		sink := newMemSink()
		var s Sink = sink
		if exister {
			sink.objs["a.png"] = []byte("from an earlier run")
			s = existSink{sink}
		}
		w, err := NewWriter(WriterConfig{Dir: t.TempDir(), Layout: LayoutFlat, Sink: s})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for i, u := range []string{"http://one/a.png", "http://two/a.png"} {
			data := testPNG(t, 8, byte(10+i))
			res, err := w.Save(ctx, imageAt(t, u, len(data)), bytes.NewReader(data))
			if err != nil || res.Status != "saved" || !bytes.Equal(sink.objs[res.Path], data) {
				t.Fatalf("Save %s = %+v, %v", u, res, err)
			}
			paths = append(paths, res.Path)
		}
		want := []string{"a.png", "a-1.png"}
		if exister {
			want = []string{"a-1.png", "a-2.png"}
		}
		if paths[0] != want[0] || paths[1] != want[1] {
			t.Errorf("exister %v: names %v, want %v", exister, paths, want)
		}
	}
}

// TestSinkKeepsWhatAnEarlierRunPut: an image found whole under its name
// (put by a run killed before its state recorded the claim) is not put
// again, nor under another name.
func TestSinkKeepsWhatAnEarlierRunPut(t *testing.T) {
	data := testPNG(t, 8, 21)
	sum := sha256.Sum256(data)
	sink := newMemSink()
	sink.objs["a.png"] = data
	sink.meta["a.png"] = Object{Name: "a.png", SHA256: hex.EncodeToString(sum[:])}
	w, err := NewWriter(WriterConfig{Dir: t.TempDir(), Layout: LayoutFlat, Sink: existSink{sink}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Save(context.Background(), imageAt(t, "http://h/a.png", len(data)), bytes.NewReader(data))
	if err != nil || res.Status != "saved" || res.Path != "a.png" || sink.puts != 0 || len(sink.objs) != 1 {
		t.Errorf("Save = %+v, %v, after %d puts (%d objects); want a.png saved, not put again", res, err, sink.puts, len(sink.objs))
	}
}

func TestSinkErrorIsAWriteError(t *testing.T) {
	sink := newMemSink()
	sink.fail = errors.New("bucket gone")
	w, err := NewWriter(WriterConfig{Dir: t.TempDir(), Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	data := testPNG(t, 8, 3)
	_, err = w.Save(context.Background(), imageAt(t, "http://h/a.png", len(data)), bytes.NewReader(data))
	var we *WriteError
	if !errors.As(err, &we) || !errors.Is(err, sink.fail) {
		t.Errorf("Save = %v, want a *WriteError wrapping the sink's error", err)
	}
}

// TestSinkReceivesResumedDownloads: a download kept after a cut and
// completed later goes to the sink whole.
func TestSinkReceivesResumedDownloads(t *testing.T) {
	ctx := context.Background()
	sink := newMemSink()
	w, err := NewWriter(WriterConfig{Dir: t.TempDir(), Layout: LayoutFlat, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	data := testPNG(t, 64, 5)
	img := imageAt(t, "http://h/big.png", len(data))
	cut := errors.New("connection reset")
	if _, err := w.SaveResumable(ctx, img, `"v"`, 0, failAfter(bytes.NewReader(data[:1000]), cut)); !errors.Is(err, cut) {
		t.Fatalf("SaveResumable = %v, want %v", err, cut)
	}
	if sink.puts != 0 {
		t.Fatal("a cut download reached the sink")
	}
	res, err := w.SaveResumable(ctx, img, `"v"`, 1000, bytes.NewReader(data[1000:]))
	if err != nil || res.Status != "saved" || !bytes.Equal(sink.objs[res.Path], data) {
		t.Errorf("resumed SaveResumable = %+v, %v; sink holds %d of %d bytes", res, err, len(sink.objs[res.Path]), len(data))
	}
}
