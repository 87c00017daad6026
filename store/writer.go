package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/store/imagetype"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// headSize is how many leading bytes are peeked to decide type and dimensions.
const headSize = 64 << 10

// WriterConfig configures a Writer.
type WriterConfig struct {
	Dir    string // OUT: images go under it (created if missing)
	Layout Layout // default LayoutMirror
	// Claims records which file holds each content hash, so identical
	// content is saved once across the crawl (and across processes for a
	// shared state). A state.State is one. Default: an in-memory index.
	Claims Claimer
	// Accept lists the image type names to keep (see imagetype.Types); nil keeps all.
	Accept             map[string]bool
	MinSize, MaxSize   int64 // bytes; 0 = no bound
	MinWidth           int   // pixels; 0 = no bound
	MinHeight          int
	Fsync              bool // fsync each file before it is linked into place
	ContentDisposition bool // name files from Content-Disposition when present
	// Sink, when set, receives the images instead of Dir: each is still
	// streamed into a temp file under Dir (hashed and sniffed on the way,
	// never held in memory), then, when it is kept and its content is new,
	// streamed to Sink.Put with its size, under the name Layout gives it.
	// Dir still holds the temp files and kept partial downloads.
	Sink Sink
}

// Writer streams image bodies to files under OUT: the first bytes decide the
// type and dimensions, the rest goes through a SHA-256 hasher into a temp file
// in OUT/.imgcrawl/tmp, which is then linked into place under a name no other
// file has. A file under its final name is always complete. On Linux the
// temp file is anonymous (O_TMPFILE) where the file system allows it, so it
// needs no cleanup, even after a crash. Safe for concurrent use; use
// NewWriter.
type Writer struct {
	cfg      WriterConfig
	tmpDir   string
	anon     bool            // temp files are anonymous (see tempFile)
	anonByFD bool            // and linked by descriptor, not through /proc
	mu       sync.Mutex      // serializes naming and the content index
	dirs     map[string]bool // folders known to exist (guarded by mu)
	named    namedTemps      // the named temp files open now, for RemoveTemp
	names    map[string]bool // with a Sink, names reserved (guarded by mu; see reserve)

	pmu      sync.Mutex         // guards partials
	partials map[state.Key]bool // keys with a kept partial download (see LoadPartial)
}

// Image describes a response about to be saved.
type Image struct {
	// Key is the crawl state's key of the item (state.KeyOf its URL): it
	// names the content claim and the partial download.
	Key                state.Key
	URL                *url.URL
	ContentLength      int64  // -1 when unknown
	ContentDisposition string // the header, if any
}

// Result says what Save did with one image. It is the record every later
// step carries on: the crawler's Event embeds it, and so does the manifest's
// Entry (the JSON names are the manifest's fields).
type Result struct {
	Path        string       `json:"path,omitempty"` // slash-separated, relative to OUT; for a duplicate, the first file's path
	SHA256      string       `json:"sha256,omitempty"`
	Bytes       int64        `json:"bytes"`
	ContentType string       `json:"content_type,omitempty"` // the sniffed MIME type
	Width       int          `json:"width,omitempty"`
	Height      int          `json:"height,omitempty"`
	Status      state.Status `json:"status"` // state.Saved, state.Duplicate or state.Skipped
	Reason      string       `json:"-"`      // why skipped
}

// Claimer is the one question the writer asks the crawl state: record path
// as the file for content hash sum unless a file is recorded already, and
// say which file holds it (owner) and whether this call recorded it.
// state.State has this method. Implementations must be safe for concurrent
// use.
//
// by is the key of the item being saved. first is true when the claim is
// by's: recorded by this call, or by an earlier one for the same item (an
// item redone after a crash keeps its file as saved, not as a duplicate of
// itself).
type Claimer interface {
	ClaimContent(ctx context.Context, sum [32]byte, path string, by state.Key) (owner string, first bool, err error)
}

// WriteError is a failure to write under OUT: fatal for a crawl.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string { return fmt.Sprintf("store: write %s: %v", e.Path, e.Err) }
func (e *WriteError) Unwrap() error { return e.Err }

// NewWriter prepares OUT and its temp folder, removing temp files left by an
// earlier run that was killed, checks whether anonymous temp files work
// there, and lists the kept partial downloads.
func NewWriter(cfg WriterConfig) (*Writer, error) {
	if cfg.Dir == "" {
		return nil, errors.New("store: no output folder")
	}
	if cfg.Layout == "" {
		cfg.Layout = LayoutMirror
	}
	if cfg.Claims == nil {
		cfg.Claims = &memClaims{paths: make(map[[32]byte]memClaim)}
	}
	tmp := filepath.Join(cfg.Dir, PrivateDir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, &WriteError{Path: tmp, Err: err}
	}
	// Temp files of a run that was killed: old ones only, since another
	// process may be writing into a shared OUT right now.
	stale, _ := filepath.Glob(filepath.Join(tmp, "*.part"))
	for _, f := range stale {
		if st, err := os.Stat(f); err == nil && time.Since(st.ModTime()) > 10*time.Minute {
			os.Remove(f)
		}
	}
	anon, byFD := probeAnon(tmp)
	return &Writer{cfg: cfg, tmpDir: tmp, anon: anon, anonByFD: byFD, dirs: make(map[string]bool), names: make(map[string]bool),
		partials: listPartials(filepath.Join(cfg.Dir, PrivateDir, "partial"))}, nil
}

func skipped(reason string) Result { return Result{Status: state.Skipped, Reason: reason} }

// Save streams r to a file for img. Errors reading r are returned as they are
// (the caller may retry); errors writing under OUT are *WriteError. The
// reader is not closed. A skipped image is returned without reading the rest
// of r.
func (w *Writer) Save(ctx context.Context, img Image, r io.Reader) (Result, error) {
	cfg := &w.cfg
	if n := img.ContentLength; n >= 0 {
		if cfg.MaxSize > 0 && n > cfg.MaxSize {
			return skipped(fmt.Sprintf("larger than max-size (%d > %d bytes)", n, cfg.MaxSize)), nil
		}
		if cfg.MinSize > 0 && n < cfg.MinSize {
			return skipped(fmt.Sprintf("smaller than min-size (%d < %d bytes)", n, cfg.MinSize)), nil
		}
	}
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() { br.Reset(nil); readerPool.Put(br) }()
	head, err := br.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Result{}, err
	}
	res, reason := w.check(head)
	if reason != "" {
		return skipped(reason), nil
	}
	tmp, err := w.openTemp()
	if err != nil {
		return Result{}, &WriteError{Path: w.tmpDir, Err: err}
	}
	defer tmp.Close()
	h := sha256.New()
	n, rerr, werr := copyHashed(ctx, tmp, h, br, cfg.MaxSize)
	if werr != nil {
		return Result{}, &WriteError{Path: w.tmpDir, Err: werr}
	}
	if errors.Is(rerr, errTooBig) {
		return skipped(fmt.Sprintf("larger than max-size (%d bytes)", cfg.MaxSize)), nil
	}
	if rerr != nil {
		return Result{}, rerr
	}
	if cfg.MinSize > 0 && n < cfg.MinSize {
		return skipped(fmt.Sprintf("smaller than min-size (%d < %d bytes)", n, cfg.MinSize)), nil
	}
	if err := tmp.Flush(cfg.Fsync); err != nil {
		return Result{}, &WriteError{Path: w.tmpDir, Err: err}
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return w.finish(ctx, res, img, tmp, sum, n)
}

// check decides from the first bytes whether an image is kept: its type,
// the accepted types and the dimension filters. A non-empty reason skips it.
func (w *Writer) check(head []byte) (Result, string) {
	cfg := &w.cfg
	typ, ok := imagetype.Sniff(head)
	if !ok {
		return Result{}, "not an image"
	}
	if cfg.Accept != nil && !cfg.Accept[typ.Name] {
		return Result{}, fmt.Sprintf("type %s not accepted", typ.Name)
	}
	res := Result{ContentType: typ.MIME}
	res.Width, res.Height, _ = imagetype.Dimensions(head, typ)
	if (cfg.MinWidth > 0 || cfg.MinHeight > 0) && res.Width == 0 && res.Height == 0 {
		return res, "dimensions unknown"
	}
	if res.Width < cfg.MinWidth || res.Height < cfg.MinHeight {
		return res, fmt.Sprintf("smaller than min dimensions (%dx%d)", res.Width, res.Height)
	}
	return res, ""
}

// complete is a complete image file, temp or partial, as finish places it.
type complete interface {
	Link(dst string) error        // give it the name dst (see tempFile.Link)
	Open() (io.ReadCloser, error) // read it, for a Sink
}

// finish names a complete file (temp or partial) and places it, in Dir or
// in the Sink.
func (w *Writer) finish(ctx context.Context, res Result, img Image, f complete, sum [32]byte, n int64) (Result, error) {
	var hx [2 * len(sum)]byte
	hex.Encode(hx[:], sum[:])
	res.SHA256, res.Bytes = string(hx[:]), n
	name := ""
	if w.cfg.ContentDisposition && img.ContentDisposition != "" {
		name, _ = contentDispositionName(img.ContentDisposition)
	}
	ext := extOf(res.ContentType)
	rel := relPath(w.cfg.Layout, img.URL, name, ext, sum)
	var err error
	if w.cfg.Sink != nil {
		res.Path, res.Status, err = w.placeSink(ctx, f.Open, rel, sum, n, res.ContentType, img.Key)
	} else {
		res.Path, res.Status, err = w.place(ctx, f.Link, rel, sum, n, img.Key)
	}
	return res, err
}

// extOf returns the file extension of a sniffed MIME type.
func extOf(mime string) string {
	t, _ := imagetype.ByMIME(mime)
	return t.Ext
}

// place gives the complete file its final name, with link, unless its
// content is saved already. It returns the path of the file holding the
// content.
func (w *Writer) place(ctx context.Context, link func(dst string) error, rel string, sum [32]byte, size int64, by state.Key) (string, state.Status, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for n := 0; ; n++ {
		cand := rel
		if n > 0 {
			cand = withSuffix(rel, n)
		}
		final := filepath.Join(w.cfg.Dir, filepath.FromSlash(cand))
		if dir := filepath.Dir(final); !w.dirs[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", "", &WriteError{Path: dir, Err: err}
			}
			w.dirs[dir] = true
		}
		err := link(final)
		if errors.Is(err, fs.ErrExist) {
			if sameContent(final, sum, size) {
				// The same bytes under the same name: saved by this item
				// before a crash, or by an earlier run whose state is gone
				// (saved), or by another item (a duplicate).
				owner, first, err := w.cfg.Claims.ClaimContent(ctx, sum, cand, by)
				if err != nil || first {
					return owner, state.Saved, err
				}
				return owner, state.Duplicate, nil
			}
			continue
		}
		if err != nil {
			return "", "", &WriteError{Path: final, Err: err}
		}
		owner, first, err := w.cfg.Claims.ClaimContent(ctx, sum, cand, by)
		if err != nil {
			os.Remove(final)
			return "", "", err
		}
		if !first {
			os.Remove(final) // identical bytes are saved already
			return owner, state.Duplicate, nil
		}
		return cand, state.Saved, nil
	}
}

// memClaims is the default Claimer: content hashes in memory, for a writer
// used without a crawl state.
type memClaims struct {
	mu    sync.Mutex
	paths map[[32]byte]memClaim
}

func (m *memClaims) ClaimContent(_ context.Context, sum [32]byte, path string, by state.Key) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.paths[sum]; ok {
		return c.path, c.by == by, nil
	}
	m.paths[sum] = memClaim{path, by}
	return path, true, nil
}

type memClaim struct {
	path string
	by   state.Key
}

// sameContent reports whether the file at path holds exactly sum.
func sameContent(path string, sum [32]byte, size int64) bool {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() != size {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	var got [32]byte
	h.Sum(got[:0])
	return got == sum
}

// Buffers reused across images: a 64 KiB peek buffer and a 32 KiB copy
// buffer per image would otherwise dominate allocation on small images.
var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, headSize) }}
	copyPool   = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
)

var errTooBig = errors.New("store: image larger than max-size")

// copyHashed copies src to dst and h, separating read errors from write
// errors so a failing server is never mistaken for a failing disk.
func copyHashed(ctx context.Context, dst io.Writer, h hash.Hash, src io.Reader, max int64) (n int64, rerr, werr error) {
	bp := copyPool.Get().(*[]byte)
	defer copyPool.Put(bp)
	buf := *bp
	for {
		if err := ctx.Err(); err != nil {
			return n, err, nil
		}
		k, err := src.Read(buf)
		if k > 0 {
			if max > 0 && n+int64(k) > max {
				return n, errTooBig, nil
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, nil, werr
			}
			h.Write(buf[:k])
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}
