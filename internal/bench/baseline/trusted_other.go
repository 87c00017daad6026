//go:build !linux

package main

import "io"

// createTrusted writes r to a named temporary file in dir and renames it
// to path once it is whole (see trusted_linux.go).
func createTrusted(dir, path string, r io.Reader) (int64, error) {
	return createRenamed(dir, path, r)
}
