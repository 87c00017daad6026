package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// testPNG returns an uncompressed side x side PNG whose pixels depend on seed.
func testPNG(t testing.TB, side int, seed byte) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7) ^ seed
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tempModes runs f with a Writer on a fresh OUT for each kind of temp file:
// anonymous linked by descriptor, anonymous linked through /proc (each
// skipped where the probe finds it does not work) and named (forced).
func tempModes(t *testing.T, cfg WriterConfig, f func(t *testing.T, w *Writer)) {
	for _, mode := range []string{"anonymous-fd", "anonymous-proc", "named"} {
		anon, byFD := mode != "named", mode == "anonymous-fd"
		t.Run(mode, func(t *testing.T) {
			c := cfg
			if c.Dir == "" {
				c.Dir = t.TempDir()
			}
			if c.Layout == "" {
				c.Layout = LayoutFlat
			}
			w, err := NewWriter(c)
			if err != nil {
				t.Fatal(err)
			}
			if anon && !w.anon || byFD && !w.anonByFD {
				t.Skip("not available here")
			}
			w.anon, w.anonByFD = anon, byFD
			f(t, w)
			if left := dirNames(t, w.tmpDir); len(left) > 0 {
				t.Errorf("temp files left: %v", left)
			}
		})
	}
}

// dirNames lists the names in dir (none if it does not exist).
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// images lists the files under OUT outside PrivateDir, with their content.
func images(t *testing.T, out string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == PrivateDir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(path)
			rel, _ := filepath.Rel(out, path)
			files[filepath.ToSlash(rel)] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func imageAt(t testing.TB, rawURL string, size int) Image {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return Image{Key: state.KeyOf(rawURL), URL: u, ContentLength: int64(size)}
}

func TestSaveTempFiles(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) {
			tempModes(t, WriterConfig{Fsync: fsync}, func(t *testing.T, w *Writer) {
				data := testPNG(t, 64, 1)
				res, err := w.Save(context.Background(), imageAt(t, "http://h/a.png", len(data)), bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != "saved" || res.Path != "a.png" || res.Bytes != int64(len(data)) || res.Width != 64 {
					t.Errorf("Save = %+v", res)
				}
				if got := images(t, w.cfg.Dir); len(got) != 1 || got["a.png"] != string(data) {
					t.Errorf("files under OUT: %d, a.png complete: %v", len(got), got["a.png"] == string(data))
				}
			})
		})
	}
}

// TestSaveModeSame checks that both kinds of temp file give images the same
// permissions.
func TestSaveModeSame(t *testing.T) {
	perm := map[bool]fs.FileMode{}
	tempModes(t, WriterConfig{}, func(t *testing.T, w *Writer) {
		data := testPNG(t, 8, 2)
		if _, err := w.Save(context.Background(), imageAt(t, "http://h/m.png", len(data)), bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(w.cfg.Dir, "m.png"))
		if err != nil {
			t.Fatal(err)
		}
		perm[w.anon] = st.Mode().Perm()
	})
	if len(perm) == 2 && perm[true] != perm[false] {
		t.Errorf("anonymous temp files give mode %v, named ones %v", perm[true], perm[false])
	}
}

func TestSaveCollision(t *testing.T) {
	tempModes(t, WriterConfig{}, func(t *testing.T, w *Writer) {
		ctx := context.Background()
		a, b := testPNG(t, 16, 3), testPNG(t, 16, 4)
		out := w.cfg.Dir
		// a.png holds other bytes; b.png the same bytes, from an earlier run.
		if err := os.WriteFile(filepath.Join(out, "a.png"), []byte("someone else's"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "b.png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			url    string
			data   []byte
			status state.Status
			path   string
		}{
			{"http://h/a.png", a, "saved", "a-1.png"},   // name taken: a suffix
			{"http://h/b.png", b, "saved", "b.png"},     // the same bytes: recognised
			{"http://h/c.png", b, "duplicate", "b.png"}, // saved already
		} {
			res, err := w.Save(ctx, imageAt(t, tc.url, len(tc.data)), bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || res.Path != tc.path {
				t.Errorf("Save(%s) = %s %s, want %s %s", tc.url, res.Status, res.Path, tc.status, tc.path)
			}
		}
		want := map[string]string{"a.png": "someone else's", "a-1.png": string(a), "b.png": string(b)}
		got := images(t, out)
		for name, content := range want {
			if got[name] != content {
				t.Errorf("%s: wrong content (%d bytes)", name, len(got[name]))
			}
		}
		if len(got) != len(want) {
			t.Errorf("files under OUT: %d, want %d", len(got), len(want))
		}
	})
}

// cancelReader cancels its context once it has returned after bytes.
type cancelReader struct {
	r      io.Reader
	after  int
	n      int
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p[:min(len(p), 16<<10)])
	if c.n += k; c.n >= c.after {
		c.cancel()
	}
	return k, err
}

func TestSaveCancelled(t *testing.T) {
	tempModes(t, WriterConfig{}, func(t *testing.T, w *Writer) {
		data := testPNG(t, 256, 4) // 256 KiB: the copy loop runs after the 64 KiB head
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := &cancelReader{r: bytes.NewReader(data), after: 128 << 10, cancel: cancel}
		_, err := w.Save(ctx, imageAt(t, "http://h/big.png", len(data)), r)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Save = %v, want context.Canceled", err)
		}
		if r.n >= len(data) {
			t.Fatal("the body was read to the end before the cancel was seen")
		}
		if got := images(t, w.cfg.Dir); len(got) > 0 {
			t.Errorf("files left under OUT: %v", len(got))
		}
	})
}

func TestSaveConcurrent(t *testing.T) {
	tempModes(t, WriterConfig{}, func(t *testing.T, w *Writer) {
		const n = 32
		want := map[string]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			data := testPNG(t, 16, byte(i))
			wg.Go(func() {
				res, err := w.Save(context.Background(), imageAt(t, fmt.Sprintf("http://h/%d.png", i), len(data)), bytes.NewReader(data))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[res.Path] = string(data)
				mu.Unlock()
			})
		}
		wg.Wait()
		got := images(t, w.cfg.Dir)
		if len(got) != n || len(want) != n {
			t.Fatalf("%d files under OUT, %d saved, want %d", len(got), len(want), n)
		}
		for name, content := range want {
			if got[name] != content {
				t.Errorf("%s is not complete", name)
			}
		}
	})
}

// failAfter returns the bytes of r, then err.
func failAfter(r io.Reader, err error) io.Reader {
	return io.MultiReader(r, errReader{err})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestLoadPartial(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	dir := filepath.Join(out, PrivateDir, "partial")
	keep := func(k state.Key, size int) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		meta := `{"url":"http://h/x.png","validator":"\"v1\""}`
		if err := os.WriteFile(filepath.Join(dir, k.String()+".json"), []byte(meta), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, k.String()+".part"), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before, kept, later := state.KeyOf("http://h/before.png"), state.KeyOf("http://h/kept.png"), state.KeyOf("http://h/later.png")
	keep(before, 100)
	w, err := NewWriter(WriterConfig{Dir: out, Layout: LayoutFlat})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := w.LoadPartial(before); !ok || p.Size != 100 || p.Validator != `"v1"` {
		t.Errorf("partial kept before NewWriter: LoadPartial = %+v, %v", p, ok)
	}

	// A download cut after 1000 bytes is kept, and seen.
	data := testPNG(t, 64, 5)
	img := imageAt(t, "http://h/kept.png", len(data))
	cut := errors.New("connection reset")
	if _, err := w.SaveResumable(ctx, img, `"v2"`, 0, failAfter(bytes.NewReader(data[:1000]), cut)); !errors.Is(err, cut) {
		t.Fatalf("SaveResumable = %v, want %v", err, cut)
	}
	p, ok := w.LoadPartial(kept)
	if !ok || p.Size != 1000 || p.Validator != `"v2"` {
		t.Fatalf("partial kept by SaveResumable: LoadPartial = %+v, %v", p, ok)
	}

	// A key the Writer knows no partial for is answered without reading the
	// disk: a partial another process leaves there now is not seen (nor
	// removed).
	keep(later, 100)
	if _, ok := w.LoadPartial(later); ok {
		t.Error("LoadPartial found a partial written after NewWriter: it read the disk")
	}
	if _, err := os.Stat(filepath.Join(dir, later.String()+".json")); err != nil {
		t.Error(err)
	}

	// Resuming completes the image and forgets the partial.
	res, err := w.SaveResumable(ctx, img, `"v2"`, p.Size, bytes.NewReader(data[p.Size:]))
	if err != nil || res.Status != "saved" {
		t.Fatalf("resumed SaveResumable = %+v, %v", res, err)
	}
	if got := images(t, out); got[res.Path] != string(data) {
		t.Errorf("resumed %s is not complete", res.Path)
	}
	w.DropPartial(before)
	for _, k := range []state.Key{kept, before} {
		if _, ok := w.LoadPartial(k); ok {
			t.Errorf("LoadPartial(%s) after the partial is gone = true", k)
		}
	}
	if got := dirNames(t, dir); len(got) != 2 { // later's two files
		t.Errorf("partial folder holds %v", got)
	}
}

// Two URLs with the same bytes and the same file name (flat and hash
// layouts) are one saved file and one duplicate; the same URL saved again
// (an item redone after a crash) is saved, not a duplicate of itself.
func TestSaveSameNameSameContent(t *testing.T) {
	ctx := context.Background()
	data := testPNG(t, 8, 8)
	for _, layout := range []Layout{LayoutFlat, LayoutHash} {
		t.Run(string(layout), func(t *testing.T) {
			w, err := NewWriter(WriterConfig{Dir: t.TempDir(), Layout: layout})
			if err != nil {
				t.Fatal(err)
			}
			var got []state.Status
			for _, u := range []string{"http://a/x.png", "http://b/x.png", "http://a/x.png"} {
				res, err := w.Save(ctx, imageAt(t, u, len(data)), bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, res.Status)
			}
			want := []state.Status{state.Saved, state.Duplicate, state.Saved}
			if !slices.Equal(got, want) {
				t.Errorf("statuses = %v, want %v", got, want)
			}
		})
	}
}
