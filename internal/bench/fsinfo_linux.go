package main

import "golang.org/x/sys/unix"

// fsInfo returns the free bytes (for unprivileged users) of the file system
// holding path and whether it is a tmpfs.
func fsInfo(path string) (free int64, tmpfs bool, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, false, err
	}
	return int64(st.Bavail) * int64(st.Bsize), int64(st.Type) == unix.TMPFS_MAGIC, nil
}
