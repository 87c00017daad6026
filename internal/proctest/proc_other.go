//go:build !linux

package proctest

// All cannot tell on this platform.
func All() (procs []Proc, ok bool) { return nil, false }

// Descendants cannot tell on this platform.
func Descendants(pid int) (procs []Proc, ok bool) { return nil, false }

// Alive cannot tell on this platform.
func Alive(pid int) (alive, ok bool) { return false, false }
