package hexdigit

import (
	"strconv"
	"testing"
)

func TestValue(t *testing.T) {
	for c := 0; c < 256; c++ {
		want, err := strconv.ParseUint(string(rune(c)), 16, 8)
		got, ok := Value(byte(c))
		if ok != (err == nil) || ok && uint64(got) != want {
			t.Errorf("Value(%q) = %d, %v; want %d, %v", rune(c), got, ok, want, err == nil)
		}
	}
	for v := range 16 {
		if got, _ := Value(Upper[v]); int(got) != v {
			t.Errorf("Upper[%d] = %q reads as %d", v, Upper[v], got)
		}
	}
}
