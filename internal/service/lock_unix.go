//go:build unix

package service

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockData takes the data folder's lock file, so that a second serve on the
// same --data stops at once instead of fighting over the jobs' states. The
// returned file holds the lock until closed (or the process ends).
func lockData(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("service: --data: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("service: --data: another imgcrawl serve uses %s", path)
		}
		return nil, fmt.Errorf("service: --data: lock %s: %w", path, err)
	}
	return f, nil
}
