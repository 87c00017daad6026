package main

import (
	"fmt"
	"os"
)

// shmDir is the tmpfs the suite downloads to by default.
const shmDir = "/dev/shm"

// downloadsDir creates the folder the runs download into: under /dev/shm
// when disk is false and it has room for need bytes, else under $TMPDIR
// (or the working directory when $TMPDIR is a tmpfs too). kind is "tmpfs"
// or "disk"; note explains a fallback.
func downloadsDir(disk bool, need int64) (dir, kind, note string, err error) {
	if !disk {
		free, tmpfs, err := fsInfo(shmDir)
		switch {
		case err != nil:
			note = fmt.Sprintf("%s unavailable (%v); downloading to disk", shmDir, err)
		case !tmpfs:
			note = fmt.Sprintf("%s is not a tmpfs; downloading to disk", shmDir)
		case free < need:
			note = fmt.Sprintf("%s has %d MiB free, the largest workload needs about %d MiB; downloading to disk",
				shmDir, free/mib, need/mib)
		default:
			dir, err := os.MkdirTemp(shmDir, "imgcrawl-bench-")
			if err != nil {
				return "", "", "", fmt.Errorf("bench: %w", err)
			}
			return dir, "tmpfs", "", nil
		}
	}
	parent := os.TempDir()
	if _, tmpfs, err := fsInfo(parent); err == nil && tmpfs {
		if parent, err = os.Getwd(); err != nil {
			return "", "", "", fmt.Errorf("bench: %w", err)
		}
	}
	dir, err = os.MkdirTemp(parent, "imgcrawl-bench-dl-")
	if err != nil {
		return "", "", "", fmt.Errorf("bench: %w", err)
	}
	kind = "disk"
	if _, tmpfs, err := fsInfo(dir); err == nil && tmpfs {
		kind = "tmpfs"
	}
	return dir, kind, note, nil
}
