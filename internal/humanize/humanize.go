// Package humanize writes sizes, rates and durations the way people read
// them, for the crawler's progress display and the command's messages: one
// copy of each format.
package humanize

import (
	"fmt"
	"strings"
	"time"
)

// Bytes writes a size in binary units: 512 B, 3.4 KiB, 12.0 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i])
}

// ByteRate writes bytes per second: 0 B/s, 820 B/s, 1.2 MiB/s.
func ByteRate(perSec float64) string {
	if perSec < 0 {
		perSec = 0
	}
	return Bytes(int64(perSec)) + "/s"
}

// Rate writes a count per second with the precision it deserves: 0.4, 3.5,
// 12, 1530.
func Rate(perSec float64) string {
	if perSec < 10 {
		return fmt.Sprintf("%.1f", perSec)
	}
	return fmt.Sprintf("%.0f", perSec)
}

// Duration writes an estimate of time at the precision it has: 45s, 3m10s,
// 2h5m, 26h (seconds are dropped from 10 minutes up, minutes from 10 hours).
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < 10*time.Minute:
		d = d.Round(time.Second)
	case d < 10*time.Hour:
		d = d.Round(time.Minute)
	default:
		d = d.Round(time.Hour)
	}
	return Exact(d)
}

// Exact writes d as time.Duration does, without zero minutes and seconds
// after a larger unit: 10m, not 10m0s; 2h, not 2h0m0s.
func Exact(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
