package main

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// createTrusted writes r to an unnamed file in dir and links it at path
// once it is whole, as the crawler's store does (an O_TMPFILE inode and a
// linkat through its /proc entry), so that no partial file ever has a name.
// It falls back to a named temporary file and a rename where the file
// system has no O_TMPFILE.
func createTrusted(dir, path string, r io.Reader) (int64, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return createRenamed(dir, path, r)
	}
	f := os.NewFile(uintptr(fd), dir)
	n, err := io.Copy(f, r)
	if err == nil {
		err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}
