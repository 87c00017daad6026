package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// Partial is a large download kept across interruptions (Ctrl-C, kill -9, a
// cut connection) in OUT/.imgcrawl/partial, so that the next attempt resumes
// it with a Range request guarded by If-Range. It never sits under a final
// name.
type Partial struct {
	URL       string `json:"url"`
	Validator string `json:"validator"` // the ETag, or else the Last-Modified date
	Size      int64  `json:"-"`         // bytes on disk
	path      string
}

func (w *Writer) partialPaths(key state.Key) (data, meta string) {
	dir := filepath.Join(w.cfg.Dir, PrivateDir, "partial")
	return filepath.Join(dir, key.String()+".part"), filepath.Join(dir, key.String()+".json")
}

// listPartials returns the keys of the partial downloads kept in dir (none
// if it is missing or unreadable): <key>.json names them.
func listPartials(dir string) map[state.Key]bool {
	keys := make(map[state.Key]bool)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		var k state.Key
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if ok && len(name) == hex.EncodedLen(len(k)) {
			if _, err := hex.Decode(k[:], []byte(name)); err == nil {
				keys[k] = true
			}
		}
	}
	return keys
}

// LoadPartial returns the kept partial download of the URL with key, if any.
// It knows the partials on disk when NewWriter ran and those this Writer
// kept since, and answers for any other key at once, without touching the
// disk: most images have none. A partial that another process writes into
// the same OUT after NewWriter is not seen, so that download starts over
// (correct, just not resumed).
func (w *Writer) LoadPartial(key state.Key) (*Partial, bool) {
	w.pmu.Lock()
	kept := w.partials[key]
	w.pmu.Unlock()
	if !kept {
		return nil, false
	}
	data, meta := w.partialPaths(key)
	b, err := os.ReadFile(meta)
	if err != nil {
		return nil, false
	}
	var p Partial
	st, err := os.Stat(data)
	if err != nil || json.Unmarshal(b, &p) != nil || p.Validator == "" || st.Size() == 0 {
		w.DropPartial(key)
		return nil, false
	}
	p.Size, p.path = st.Size(), data
	return &p, true
}

// DropPartial deletes a kept partial download.
func (w *Writer) DropPartial(key state.Key) {
	w.pmu.Lock()
	delete(w.partials, key)
	w.pmu.Unlock()
	data, meta := w.partialPaths(key)
	os.Remove(meta)
	os.Remove(data)
}

// SaveResumable is Save for a large body that may be resumed: the bytes go
// to the key's partial file, starting at offset (0 starts over; a positive
// offset appends to the kept bytes, which must be the first offset bytes of
// the image). The partial is kept when reading r fails, and removed once
// the image is placed or skipped. validator is the response's ETag or
// Last-Modified.
func (w *Writer) SaveResumable(ctx context.Context, img Image, validator string, offset int64, r io.Reader) (Result, error) {
	key := img.Key
	data, meta := w.partialPaths(key)
	if err := os.MkdirAll(filepath.Dir(data), 0o755); err != nil {
		return Result{}, &WriteError{Path: filepath.Dir(data), Err: err}
	}
	b, _ := json.Marshal(Partial{URL: img.URL.String(), Validator: validator})
	if err := os.WriteFile(meta, b, 0o644); err != nil {
		return Result{}, &WriteError{Path: meta, Err: err}
	}
	f, err := os.OpenFile(data, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return Result{}, &WriteError{Path: data, Err: err}
	}
	keep := false
	defer func() {
		f.Close()
		if !keep {
			w.DropPartial(key)
			return
		}
		w.pmu.Lock()
		w.partials[key] = true
		w.pmu.Unlock()
	}()
	if err := f.Truncate(offset); err != nil {
		return Result{}, &WriteError{Path: data, Err: err}
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, offset)); err != nil {
		return Result{}, &WriteError{Path: data, Err: err}
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return Result{}, &WriteError{Path: data, Err: err}
	}
	max := w.cfg.MaxSize
	if max > 0 {
		max -= offset
	}
	n, rerr, werr := copyHashed(ctx, f, h, r, max)
	if werr == nil && w.cfg.Fsync {
		werr = f.Sync()
	}
	if werr != nil {
		return Result{}, &WriteError{Path: data, Err: werr}
	}
	if errors.Is(rerr, errTooBig) {
		return skipped(fmt.Sprintf("larger than max-size (%d bytes)", w.cfg.MaxSize)), nil
	}
	if rerr != nil {
		keep = true // resume next time
		return Result{}, rerr
	}
	head := make([]byte, headSize)
	k, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return Result{}, &WriteError{Path: data, Err: err}
	}
	res, reason := w.check(head[:k])
	if reason != "" {
		return skipped(reason), nil
	}
	total := offset + n
	if w.cfg.MinSize > 0 && total < w.cfg.MinSize {
		return skipped(fmt.Sprintf("smaller than min-size (%d < %d bytes)", total, w.cfg.MinSize)), nil
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return w.finish(ctx, res, img, partialFile(data), sum, total)
}

// partialFile is a complete partial download, named by its path.
type partialFile string

func (p partialFile) Link(dst string) error        { return linkNoReplace(string(p), dst) }
func (p partialFile) Open() (io.ReadCloser, error) { return os.Open(string(p)) }
