package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// stallReader serves data but blocks, once, on the first Read past the
// first headSize bytes: Save has made its temp file by then.
type stallReader struct {
	data             []byte
	off              int
	stalled, release chan struct{}
}

func (r *stallReader) Read(p []byte) (int, error) {
	if r.off >= headSize && r.stalled != nil {
		close(r.stalled)
		r.stalled = nil
		<-r.release
	}
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

// TestRemoveTempRemovesThisWritersTempFilesOnly stops a Save half way,
// calls RemoveTemp, and checks that the Save's named temp file is gone and
// a temp file of another writer sharing OUT is not.
func TestRemoveTempRemovesThisWritersTempFilesOnly(t *testing.T) {
	data := testPNG(t, 256, 3) // 256 KiB, past the head
	tempModes(t, WriterConfig{}, func(t *testing.T, w *Writer) {
		other := filepath.Join(w.tmpDir, "img-otherprocess.part")
		if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(other)
		r := &stallReader{data: data, stalled: make(chan struct{}), release: make(chan struct{})}
		stalled := r.stalled
		done := make(chan error, 1)
		go func() {
			_, err := w.Save(context.Background(), imageAt(t, "http://h/a.png", len(data)), r)
			done <- err
		}()
		<-stalled
		ours := slices.DeleteFunc(dirNames(t, w.tmpDir), func(n string) bool { return n == filepath.Base(other) })
		if w.anon != (len(ours) == 0) {
			t.Fatalf("temp files while saving: %v (anonymous: %v)", ours, w.anon)
		}
		w.RemoveTemp()
		if left := dirNames(t, w.tmpDir); !slices.Equal(left, []string{filepath.Base(other)}) {
			t.Errorf("after RemoveTemp the temp folder holds %v, want only the other writer's file", left)
		}
		close(r.release)
		err := <-done
		var we *WriteError
		if w.anon && err != nil || !w.anon && !errors.As(err, &we) {
			t.Errorf("Save after RemoveTemp = %v, want nil for an anonymous file, a *WriteError for a named one", err)
		}
		if len(w.named.names) != 0 {
			t.Errorf("names still tracked after Save: %v", w.named.names)
		}
	})
}
