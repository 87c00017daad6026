package bolt

import (
	"go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// unmapRead drops the pages of the state file that bbolt's read-only
// mapping has touched from the process's page tables. Every commit reads
// the pages it changes (and bbolt copies on write, so each page written is
// read by a later commit); left mapped, a big crawl's whole state file ends
// up counted in its resident memory, though the pages are clean and the
// page cache holds them whether mapped or not. The next read maps a page
// again from the page cache, with no I/O.
//
// tx must be a write transaction: bbolt only remaps the file in one, so the
// mapping cannot move while the call runs. MADV_DONTNEED on a shared file
// mapping loses no data (unlike on private or anonymous memory).
func unmapRead(tx *bbolt.Tx) {
	info := tx.DB().Info()
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, info.Data, uintptr(tx.Size()), unix.MADV_DONTNEED)
}
