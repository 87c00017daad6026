//go:build !linux

package proctest

// All cannot tell on this platform.
func All() (procs []Proc, ok bool) { return nil, false }

// Descendants cannot tell on this platform.
func Descendants(pid int) (procs []Proc, ok bool) { return nil, false }

// Alive cannot tell on this platform.
func Alive(pid int) (alive, ok bool) { return false, false }

// PssKiB cannot tell on this platform.
func PssKiB(pid int) (kib int64, ok bool) { return 0, false }

// TreePssKiB cannot tell on this platform.
func TreePssKiB(pid int) (kib int64, ok bool) { return 0, false }
