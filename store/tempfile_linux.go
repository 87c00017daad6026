package store

import (
	"io"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// Constants from linux/fcntl.h that the frozen syscall package lacks.
// O_TMPFILE is __O_TMPFILE (the same on every architecture Go supports)
// with O_DIRECTORY (which is not).
const (
	oTmpfile        = 0o20000000 | syscall.O_DIRECTORY
	atFDCWD         = -100
	atSymlinkFollow = 0x400
	atEmptyPath     = 0x1000
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
func openAnon(dir string, byFD bool) (tempFile, error) {
	for {
		fd, err := syscall.Open(dir, oTmpfile|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
		if err == syscall.EINTR {
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
		k, err := syscall.Write(t.fd, p[n:])
		if err == syscall.EINTR {
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
		err := syscall.Fsync(t.fd)
		if err != syscall.EINTR {
			return os.NewSyscallError("fsync", err)
		}
	}
}

// Link names the file: through the descriptor itself (AT_EMPTY_PATH) when
// byFD is set, else through its /proc/self/fd entry. Like link(2), linkat
// fails with EEXIST when dst exists.
func (t *anonFile) Link(dst string) error {
	p, err := syscall.BytePtrFromString(dst)
	if err != nil {
		return err
	}
	var buf [32]byte
	from, src, flags := atFDCWD, buf[:0], atSymlinkFollow
	if t.byFD {
		from, flags = t.fd, atEmptyPath
	} else {
		src = strconv.AppendInt(append(src, "/proc/self/fd/"...), int64(t.fd), 10)
	}
	src = append(src, 0)
	cwd := atFDCWD
	_, _, e := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(from), uintptr(unsafe.Pointer(&src[0])),
		uintptr(cwd), uintptr(unsafe.Pointer(p)), uintptr(flags), 0)
	if e != 0 {
		return os.NewSyscallError("linkat", e)
	}
	return nil
}

func (t *anonFile) Close() { syscall.Close(t.fd) }
