package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSaveDiskFull writes to a real, tiny tmpfs: the error must be a
// *WriteError naming a path under OUT, with nothing left behind.
func TestSaveDiskFull(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); needs root", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, 0) })
	data := testPNG(t, 256, 6) // 256 KiB
	tempModes(t, WriterConfig{Dir: filepath.Join(dir, "out")}, func(t *testing.T, w *Writer) {
		_, err := w.Save(context.Background(), imageAt(t, "http://h/a.png", len(data)), bytes.NewReader(data))
		var we *WriteError
		if !errors.As(err, &we) || !errors.Is(err, unix.ENOSPC) {
			t.Fatalf("Save on a full disk = %v, want a *WriteError with ENOSPC", err)
		}
		if !strings.HasPrefix(we.Path, w.cfg.Dir) {
			t.Errorf("error names %q, not a path under OUT", we.Path)
		}
		if got := images(t, w.cfg.Dir); len(got) > 0 {
			t.Errorf("files left under OUT: %v", len(got))
		}
	})
}
