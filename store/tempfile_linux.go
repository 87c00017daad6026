package store

import (
	"io"
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// anonFile is an O_TMPFILE file: it has no name until Link gives it one, and
// the kernel frees it when it is closed without one, even if the process is
// killed. It is written through the raw descriptor: an os.File would add the
// poller's calls (an epoll_ctl that fails, fcntl) for nothing on a regular
// file.
type anonFile struct {
	fd   int
	byFD bool // Link names the descriptor itself, not its /proc entry
}

// openAnon opens an anonymous temp file on the file system of dir.
// unix.O_TMPFILE includes O_DIRECTORY, as open(2) requires.
func openAnon(dir string, byFD bool) (tempFile, error) {
	for {
		fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: dir, Err: err}
		}
		return &anonFile{fd: fd, byFD: byFD}, nil
	}
}

// Write writes all of p, retrying on EINTR and short writes.
func (t *anonFile) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := unix.Write(t.fd, p[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, os.NewSyscallError("write", err)
		}
		if k == 0 {
			return n, io.ErrShortWrite
		}
		n += k
	}
	return n, nil
}

func (t *anonFile) Flush(sync bool) error {
	if !sync {
		return nil
	}
	for {
		err := unix.Fsync(t.fd)
		if err != unix.EINTR {
			return os.NewSyscallError("fsync", err)
		}
	}
}

// Link names the file: through the descriptor itself (AT_EMPTY_PATH) when
// byFD is set, else through its /proc/self/fd entry. Like link(2), linkat
// fails with EEXIST when dst exists.
func (t *anonFile) Link(dst string) error {
	var err error
	if t.byFD {
		err = unix.Linkat(t.fd, "", unix.AT_FDCWD, dst, unix.AT_EMPTY_PATH)
	} else {
		src := "/proc/self/fd/" + strconv.Itoa(t.fd)
		err = unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
	}
	return os.NewSyscallError("linkat", err)
}

// Open reads the file through its descriptor, with pread: the write offset
// is not moved.
func (t *anonFile) Open() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(fdReader(t.fd), 0, math.MaxInt64)), nil
}

func (t *anonFile) Close() { unix.Close(t.fd) }

// fdReader reads a file descriptor at offsets.
type fdReader int

func (fd fdReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		k, err := unix.Pread(int(fd), p[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, os.NewSyscallError("pread", err)
		}
		if k == 0 {
			return n, io.EOF
		}
		n += k
	}
	return n, nil
}
