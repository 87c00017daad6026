package store

import (
	"context"
	"encoding/hex"
	"io"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// Object describes an image handed to a Sink.
type Object struct {
	// Name is where the image goes: a slash-separated relative path made by
	// the writer's Layout ("example.com/img/a.png"), safe as a file path or
	// an object key. It is the Result's Path.
	Name        string
	Size        int64  // bytes; -1 when unknown
	ContentType string // the sniffed MIME type ("image/png")
	SHA256      string // of the content, in hex; "" when unknown
}

// Sink is a destination for images other than the local file system: an
// object store, an archive, another process. The Writer calls Put once per
// image it keeps, with its complete, checked content, from many goroutines
// at once.
//
// Put must read r to its end and store exactly its bytes under obj.Name,
// replacing what is there; it must never leave a partial object under
// obj.Name, even if the process is killed during the call (upload under a
// temporary name and rename, or use an upload that completes atomically). An
// error from Put stops a crawl, as a full disk does: retry transient
// failures inside Put. Put must return soon after ctx is done. It must not
// keep r after returning.
type Sink interface {
	Put(ctx context.Context, obj Object, r io.Reader) error
}

// Exister is a Sink that can tell whether it holds an object, and whether
// that object holds given content. The Writer then never chooses, for a new
// image, a name that holds other content already (one an earlier run
// stored), as it never replaces a file: it takes the next free name. And an
// image found whole under its name (put by a run killed before it recorded
// it) is not put again. Without an Exister, the Writer keeps in memory the
// names it gave (some 100 bytes an image), and names are unique within one
// Writer only: another run or process may choose a name again, for other
// content, unless the layout is LayoutHash, whose names never clash.
type Exister interface {
	// Exists reports whether the sink holds an object under name, and
	// whether its content has the SHA-256 sha256 (hex); same is false when
	// the sink cannot tell.
	Exists(ctx context.Context, name, sha256 string) (exists, same bool, err error)
}

// placeSink names a complete image and puts it into the sink, unless its
// content is saved already; open reads the image. It returns the name of
// the object holding the content, and whether it is a duplicate.
func (w *Writer) placeSink(ctx context.Context, open func() (io.ReadCloser, error), rel string, sum [32]byte, size int64, ctype string, by state.Key) (string, state.Status, error) {
	sha := hex.EncodeToString(sum[:])
	name, there, err := w.reserve(ctx, rel, sha)
	if err != nil {
		return "", "", err
	}
	_, exister := w.cfg.Sink.(Exister)
	keep := false
	defer func() {
		if exister || !keep {
			w.release(name) // the sink knows it from now on, or it is free again
		}
	}()
	owner, first, err := w.cfg.Claims.ClaimContent(ctx, sum, name, by)
	if err != nil || !first {
		return owner, state.Duplicate, err
	}
	keep = true
	if there && owner == name {
		return owner, state.Saved, nil // put whole by an earlier run
	}
	// The claim may be this item's from an earlier run (killed after the
	// claim): the content goes under the name recorded then.
	r, err := open()
	if err != nil {
		return "", "", &WriteError{Path: w.tmpDir, Err: err}
	}
	defer r.Close()
	if err := w.cfg.Sink.Put(ctx, Object{Name: owner, Size: size, ContentType: ctype, SHA256: sha}, io.LimitReader(r, size)); err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err() // stopped, not failed: the image is put by the next run
		}
		return "", "", &WriteError{Path: owner, Err: err}
	}
	return owner, state.Saved, nil
}

// reserve returns the first of rel and its suffixed forms (see withSuffix)
// that is not reserved and, with an Exister, not in the sink with other
// content than sha (there says it is in the sink with sha), and reserves it
// until release.
func (w *Writer) reserve(ctx context.Context, rel, sha string) (name string, there bool, err error) {
	ex, _ := w.cfg.Sink.(Exister)
	for n := 0; ; n++ {
		cand := rel
		if n > 0 {
			cand = withSuffix(rel, n)
		}
		w.mu.Lock()
		busy := w.names[cand]
		if !busy {
			w.names[cand] = true
		}
		w.mu.Unlock()
		if busy {
			continue
		}
		if ex == nil {
			return cand, false, nil
		}
		exists, same, err := ex.Exists(ctx, cand, sha)
		if err != nil {
			w.release(cand)
			return "", false, &WriteError{Path: cand, Err: err}
		}
		if !exists || same {
			return cand, exists, nil
		}
		w.release(cand)
	}
}

func (w *Writer) release(name string) {
	w.mu.Lock()
	delete(w.names, name)
	w.mu.Unlock()
}
