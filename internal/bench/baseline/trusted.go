package main

import (
	"io"
	"os"
)

// createRenamed writes r to a new temporary file in dir and renames it to
// path once it is whole.
func createRenamed(dir, path string, r io.Reader) (int64, error) {
	f, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return n, err
}
