package store

import (
	"os"
	"sync"
)

// namedTemps is the set of named temp files a Writer has open, so that
// RemoveTemp removes those and no others: another process may be writing
// into the same OUT.
type namedTemps struct {
	mu    sync.Mutex
	names map[string]struct{}
}

func (n *namedTemps) add(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.names == nil {
		n.names = make(map[string]struct{})
	}
	n.names[name] = struct{}{}
}

func (n *namedTemps) remove(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.names, name)
}

// trackedTemp is a named temp file that leaves the set when it is closed.
type trackedTemp struct {
	tempFile
	set  *namedTemps
	name string
}

func (t *trackedTemp) Close() {
	t.tempFile.Close()
	t.set.remove(t.name)
}

// openTemp starts a temp file for one image, recording its name, if it has
// one, until it is closed.
func (w *Writer) openTemp() (tempFile, error) {
	t, err := w.createTemp()
	if err != nil {
		return nil, err
	}
	nf, ok := t.(*namedFile)
	if !ok {
		return t, nil // anonymous: the kernel frees it with the process
	}
	w.named.add(nf.name)
	return &trackedTemp{tempFile: t, set: &w.named, name: nf.name}, nil
}

// RemoveTemp removes the temp files of the images this Writer is saving
// now, for a process about to exit without waiting for them (a second
// Ctrl-C). Anonymous temp files (Linux) need nothing: the kernel frees them
// with the process. Other writers' temp files, and kept partial downloads,
// are left alone. A Save in progress then fails with a *WriteError. Safe for
// concurrent use.
func (w *Writer) RemoveTemp() {
	w.named.mu.Lock()
	defer w.named.mu.Unlock()
	for name := range w.named.names {
		os.Remove(name)
	}
}
