package options

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ByteSize is a size in bytes, written 100, 64KiB, 16MiB, 1GiB (also KB,
// MB, GB and K, M, G). In JSON it is such a string or a number of bytes.
type ByteSize int64

// UnmarshalText reads a size as ParseByteSize does.
func (b *ByteSize) UnmarshalText(text []byte) error {
	n, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = ByteSize(n)
	return nil
}

// MarshalText writes b as FormatByteSize does.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(FormatByteSize(int64(b))), nil }

// UnmarshalJSON takes a string ("16MiB") or a number of bytes.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var n int64
	if err := json.Unmarshal(data, &n); err == nil {
		if n < 0 {
			return fmt.Errorf("bad size %d (want bytes >= 0)", n)
		}
		*b = ByteSize(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("bad size %s (want a number of bytes or a string such as \"16MiB\")", data)
	}
	return b.UnmarshalText([]byte(s))
}

// String writes b as FormatByteSize does.
func (b ByteSize) String() string { return FormatByteSize(int64(b)) }

// ParseByteSize reads a size: a number of bytes with an optional unit.
func ParseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kb": 1000, "kib": 1 << 10, "m": 1 << 20,
		"mb": 1000 * 1000, "mib": 1 << 20, "g": 1 << 30, "gb": 1000 * 1000 * 1000, "gib": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q (want bytes, or a number with KiB, MiB or GiB)", s)
	}
	return n * mult, nil
}

// FormatByteSize writes n as ParseByteSize reads it, in the largest binary
// unit that divides it: 16MiB.
func FormatByteSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// Duration is a time.Duration written as time.ParseDuration reads it
// ("30s", "1m30s"), as a flag and in JSON.
type Duration time.Duration

// UnmarshalText reads a duration such as "30s".
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(text)))
	if err != nil {
		return fmt.Errorf("bad duration %q (want a number with a unit: 500ms, 30s, 10m)", text)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes d as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// String writes d as time.Duration.String does.
func (d Duration) String() string { return time.Duration(d).String() }
