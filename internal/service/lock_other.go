//go:build !unix

package service

import (
	"fmt"
	"os"
)

// lockData opens the data folder's lock file; on this platform it is not
// locked (the jobs' bbolt files still refuse a second process).
func lockData(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("service: --data: %w", err)
	}
	return f, nil
}
