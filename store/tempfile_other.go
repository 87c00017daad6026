//go:build !linux

package store

import "errors"

// openAnon reports that anonymous temp files are a Linux feature: elsewhere
// every temp file has a name.
func openAnon(dir string, byFD bool) (tempFile, error) { return nil, errors.ErrUnsupported }
