package store

import (
	"context"
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

// Exister is a Sink that can tell whether it holds an object. The Writer
// then never chooses, for a new image, a name that holds an object already
// (one an earlier run stored), as it never replaces a file: it takes the
// next free name. Without it, the Writer keeps in memory the names it gave
// (some 100 bytes an image), and names are unique within one Writer only:
// another run or process may choose a name again, for other content, unless
// the layout is LayoutHash, whose names never clash.
type Exister interface {
	Exists(ctx context.Context, name string) (bool, error)
}

// placeSink names a complete image and puts it into the sink, unless its
// content is saved already; open reads the image. It returns the name of
// the object holding the content, and whether it is a duplicate.
func (w *Writer) placeSink(ctx context.Context, open func() (io.ReadCloser, error), rel string, sum [32]byte, size int64, ctype string, by state.Key) (string, state.Status, error) {
	name, err := w.reserve(ctx, rel)
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
	// The claim may be this item's from an earlier run (killed after the
	// claim): the content goes under the name recorded then.
	r, err := open()
	if err != nil {
		return "", "", &WriteError{Path: w.tmpDir, Err: err}
	}
	defer r.Close()
	if err := w.cfg.Sink.Put(ctx, Object{Name: owner, Size: size, ContentType: ctype}, io.LimitReader(r, size)); err != nil {
		return "", "", &WriteError{Path: owner, Err: err}
	}
	return owner, state.Saved, nil
}

// reserve returns the first of rel and its suffixed forms (see withSuffix)
// that is not reserved (nor, with an Exister, in the sink), and reserves it
// until release.
func (w *Writer) reserve(ctx context.Context, rel string) (string, error) {
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
		if ex != nil {
			there, err := ex.Exists(ctx, cand)
			if err != nil {
				w.release(cand)
				return "", &WriteError{Path: cand, Err: err}
			}
			if there {
				w.release(cand)
				continue
			}
		}
		return cand, nil
	}
}

func (w *Writer) release(name string) {
	w.mu.Lock()
	delete(w.names, name)
	w.mu.Unlock()
}
