//go:build !linux

package bolt

import "go.etcd.io/bbolt"

// unmapRead is a no-op where the Linux call it makes is not known to keep
// a shared file mapping's data (see unmap_linux.go).
func unmapRead(*bbolt.Tx) {}
