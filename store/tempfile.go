package store

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// tempFile is an image being written in the temp folder, not yet under a
// name in OUT. Save writes it, calls Flush once, Link once per name it tries,
// and Close at the end. There are two kinds: an anonymous O_TMPFILE file
// (Linux, where NewWriter's probe found it works), and a named *.part file.
type tempFile interface {
	io.Writer
	// Flush ends writing, first fsyncing the data if sync is true: when it
	// returns nil, the file holds every byte written.
	Flush(sync bool) error
	// Link gives the complete file the name dst, failing with fs.ErrExist
	// (and changing nothing) when dst exists.
	Link(dst string) error
	// Open reads the complete file from its start, after Flush (to give
	// it to a Sink). The reader must be closed before Close.
	Open() (io.ReadCloser, error)
	// Close releases the file and removes its temp name, if it has one:
	// the file then lives on only under the names Link gave it.
	Close()
}

// createTemp starts a temp file for one image.
func (w *Writer) createTemp() (tempFile, error) {
	if w.anon {
		return openAnon(w.tmpDir, w.anonByFD)
	}
	return createNamed(w.tmpDir)
}

// probeAnon reports whether anonymous temp files can be made and linked
// into place in dir: the kernel, the file system and /proc (or the
// privilege to link a descriptor itself) must allow it. byFD says the
// descriptor can be linked directly (AT_EMPTY_PATH: root, or
// CAP_DAC_READ_SEARCH), which spares a /proc lookup per file. The probe
// names end in .part so that a crash leaves nothing that NewWriter does not
// clean up.
func probeAnon(dir string) (ok, byFD bool) {
	for _, byFD := range []bool{true, false} {
		f, err := openAnon(dir, byFD)
		if err != nil {
			return false, false
		}
		name := filepath.Join(dir, "probe-"+strconv.FormatUint(rand.Uint64(), 36)+".part")
		err = f.Link(name)
		f.Close()
		if err == nil {
			os.Remove(name)
			return true, byFD
		}
	}
	return false, false
}

// namedFile is a temp file with a name, img-*.part, for systems without
// anonymous temp files. A crash leaves it behind for NewWriter to remove.
type namedFile struct {
	f    *os.File
	name string
}

// createNamed creates a new named temp file in dir, with the mode images get
// (0644 less the umask, as for an anonymous one).
func createNamed(dir string) (tempFile, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, "img-"+strconv.FormatUint(rand.Uint64(), 36)+".part")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &namedFile{f: f, name: name}, nil
	}
}

func (t *namedFile) Write(p []byte) (int, error) { return t.f.Write(p) }

// Flush closes the file, so that an error reported only at close (NFS) is
// seen before the file gets a final name.
func (t *namedFile) Flush(sync bool) error {
	var err error
	if sync {
		err = t.f.Sync()
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (t *namedFile) Link(dst string) error { return linkNoReplace(t.name, dst) }

func (t *namedFile) Open() (io.ReadCloser, error) { return os.Open(t.name) }

func (t *namedFile) Close() {
	t.f.Close() // already closed by Flush, unless writing failed
	os.Remove(t.name)
}

// linkNoReplace makes dst name the file tmp names, failing with fs.ErrExist
// when dst exists. Hard links are atomic; where the file system has none,
// fall back to a rename after an existence check (serialized by the caller).
func linkNoReplace(tmp, dst string) error {
	err := os.Link(tmp, dst)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return fs.ErrExist
	}
	if rerr := os.Rename(tmp, dst); rerr != nil {
		return err
	}
	return nil
}
