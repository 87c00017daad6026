package options

import (
	"encoding/json"
	"testing"
)

// FuzzByteSize: a size either parses to a non-negative number that writes
// back to itself, or is an error; never a panic or an overflow.
func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"0", "100", "64KiB", "16MiB", "1GiB", "10 MB", "12parsecs", "-1", "99999999999999999999G", "k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseByteSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("%q = %d", s, n)
		}
		back, err := ParseByteSize(FormatByteSize(n))
		if err != nil || back != n {
			t.Fatalf("%q = %d, written %q, read back %d, %v", s, n, FormatByteSize(n), back, err)
		}
		var b ByteSize
		j, _ := json.Marshal(s)
		if err := json.Unmarshal(j, &b); err != nil || int64(b) != n {
			t.Fatalf("JSON %s: %d, %v", j, b, err)
		}
	})
}
