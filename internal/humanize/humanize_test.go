package humanize

import (
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 12 << 20: "12.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRates(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ByteRate(0), "0 B/s"}, {ByteRate(-1), "0 B/s"}, {ByteRate(820), "820 B/s"}, {ByteRate(1.25 * (1 << 20)), "1.2 MiB/s"},
		{Rate(0), "0.0"}, {Rate(3.46), "3.5"}, {Rate(12.4), "12"}, {Rate(1530.2), "1530"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 400 * time.Millisecond: "0s", 45 * time.Second: "45s", 3*time.Minute + 10400*time.Millisecond: "3m10s",
		3 * time.Minute: "3m", 12*time.Minute + 40*time.Second: "13m", 2*time.Hour + 5*time.Minute + 3*time.Second: "2h5m",
		2 * time.Hour: "2h", 26*time.Hour + 20*time.Minute: "26h",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}
