package testsite

import (
	"bytes"
	"crypto/sha256"
	"strconv"
	"sync"
	"testing"
)

func TestImageCache(t *testing.T) {
	gen := newImageGen(1, 2000)
	format := func(id int) imgFormat { return imgFormat(id % 3) }
	tests := []struct {
		name   string
		budget int64
	}{
		{"cached", imgCacheBudget},
		{"over budget", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newImageCache(gen, 6, format)
			c.budget.Store(tt.budget)
			var wg sync.WaitGroup
			results := make([][][]byte, 4)
			for g := range results {
				wg.Go(func() {
					for id := range 6 {
						data, sum := c.get(id)
						if sha256.Sum256(data) != sum {
							t.Errorf("image %d: hash does not match bytes", id)
						}
						results[g] = append(results[g], data)
					}
				})
			}
			wg.Wait()
			for id := range 6 {
				want := gen.encode(id, format(id))
				for g := range results {
					if !bytes.Equal(results[g][id], want) {
						t.Errorf("goroutine %d got different bytes for image %d", g, id)
					}
				}
				if cached := c.entries[id].data != nil; cached != (tt.budget > 0) {
					t.Errorf("image %d cached = %v with budget %d", id, cached, tt.budget)
				}
			}
		})
	}
}

func TestIsqrt(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 15, 16, 17, 1 << 20, 1<<40 + 12345} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			r := isqrt(n)
			if r*r > n || (r+1)*(r+1) <= n {
				t.Errorf("isqrt(%d) = %d", n, r)
			}
		})
	}
}

func TestToWindows1252(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "abc", "abc"},
		{"latin-1 range", "café", "caf\xe9"},
		{"cp1252 specials", "€“”–", "\x80\x93\x94\x96"},
		{"missing rune", "日", "?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(toWindows1252([]byte(tt.in))); got != tt.want {
				t.Errorf("toWindows1252(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
