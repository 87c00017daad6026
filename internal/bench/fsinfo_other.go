//go:build !linux

package main

import (
	"errors"
	"fmt"
	"runtime"
)

// fsInfo reports that telling a tmpfs apart is done on Linux only: elsewhere
// the suite downloads to disk.
func fsInfo(path string) (free int64, tmpfs bool, err error) {
	return 0, false, fmt.Errorf("no tmpfs check on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
