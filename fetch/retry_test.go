package fetch

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func retryTestResp(code int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: code, Header: h}
}

func TestDefaultRetryPolicy(t *testing.T) {
	inTwoMinutes := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	// Attempt 1 without Retry-After: 500ms randomized by ±50%.
	const backoffMin, backoffMax = 250 * time.Millisecond, 750 * time.Millisecond
	tests := []struct {
		name      string
		resp      *http.Response
		err       error
		wantRetry bool
		min, max  time.Duration
	}{
		{"200 not retried", retryTestResp(200, ""), nil, false, 0, 0},
		{"404 not retried", retryTestResp(404, ""), nil, false, 0, 0},
		{"501 not retried", retryTestResp(501, "5"), nil, false, 0, 0},
		{"408 backoff", retryTestResp(408, ""), nil, true, backoffMin, backoffMax},
		{"500 backoff", retryTestResp(500, ""), nil, true, backoffMin, backoffMax},
		{"500 ignores Retry-After", retryTestResp(500, "30"), nil, true, backoffMin, backoffMax},
		{"502 backoff", retryTestResp(502, ""), nil, true, backoffMin, backoffMax},
		{"504 backoff", retryTestResp(504, ""), nil, true, backoffMin, backoffMax},
		{"429 Retry-After seconds", retryTestResp(429, "3600"), nil, true, time.Hour, time.Hour},
		{"503 Retry-After seconds", retryTestResp(503, "7"), nil, true, 7 * time.Second, 7 * time.Second},
		{"503 Retry-After date", retryTestResp(503, inTwoMinutes), nil, true, 118 * time.Second, 120 * time.Second},
		{"429 Retry-After garbage", retryTestResp(429, "soon"), nil, true, backoffMin, backoffMax},
		{"429 Retry-After zero", retryTestResp(429, "0"), nil, true, 0, 0},
		{"no response no error", nil, nil, false, 0, 0},
		{"timeout error", nil, &TimeoutError{Phase: PhaseBody}, true, backoffMin, backoffMax},
		{"short body", nil, &ShortBodyError{Got: 1, Want: 5}, true, backoffMin, backoffMax},
		{"policy error", nil, &PolicyError{Reason: "loopback"}, false, 0, 0},
		{"too large", nil, &TooLargeError{Limit: 1}, false, 0, 0},
		{"plain error", nil, errors.New("boom"), false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, wait := DefaultRetryPolicy(tt.resp, tt.err, 1)
			if retry != tt.wantRetry {
				t.Fatalf("retry = %v, want %v", retry, tt.wantRetry)
			}
			if retry && (wait < tt.min || wait > tt.max) {
				t.Errorf("wait = %v, want within [%v, %v]", wait, tt.min, tt.max)
			}
		})
	}
}

func TestRetryBackoffSchedule(t *testing.T) {
	for attempt := 1; attempt <= 12; attempt++ {
		base := 500 * time.Millisecond << (attempt - 1)
		if base > time.Minute || base <= 0 {
			base = time.Minute
		}
		lo, hi := base/2, min(base*3/2, time.Minute)
		seen := map[time.Duration]bool{}
		for range 50 {
			_, wait := DefaultRetryPolicy(retryTestResp(503, ""), nil, attempt)
			if wait < lo || wait > hi {
				t.Fatalf("attempt %d: wait %v outside [%v, %v]", attempt, wait, lo, hi)
			}
			seen[wait] = true
		}
		if attempt <= 6 && len(seen) < 2 {
			t.Errorf("attempt %d: 50 waits all equal (%v): no jitter", attempt, seen)
		}
	}
	if _, wait := DefaultRetryPolicy(retryTestResp(503, ""), nil, 1<<30); wait > time.Minute || wait < 30*time.Second {
		t.Errorf("huge attempt: wait %v, want within [30s, 1m]", wait)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"seconds", "120", 2 * time.Minute, true},
		{"zero", "0", 0, true},
		{"spaces", "  5 ", 5 * time.Second, true},
		{"rfc1123 date", "Wed, 01 May 2024 12:00:30 GMT", 30 * time.Second, true},
		{"rfc850 date", "Wednesday, 01-May-24 12:01:00 GMT", time.Minute, true},
		{"asctime date", "Wed May  1 12:00:10 2024", 10 * time.Second, true},
		{"past date", "Wed, 01 May 2024 11:00:00 GMT", 0, true},
		{"huge seconds clamp", strings.Repeat("9", 40), time.Duration(1<<63 - 1), true},
		{"empty", "", 0, false},
		{"negative", "-5", 0, false},
		{"plus sign", "+5", 0, false},
		{"fraction", "1.5", 0, false},
		{"garbage", "soon", 0, false},
		{"bad date", "Wed, 32 May 2024 12:00:30 GMT", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "Wed, 01 May 2024 12:00:30 GMT", "-1", "", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 {
			t.Errorf("ParseRetryAfter(%q) = %v: negative wait", s, d)
		}
		if !ok && d != 0 {
			t.Errorf("ParseRetryAfter(%q) = %v, false: wait without ok", s, d)
		}
	})
}

// retryCountingBody records how much was read and whether it was closed.
type retryCountingBody struct {
	r      io.Reader
	read   int
	closed bool
}

func (b *retryCountingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *retryCountingBody) Close() error { b.closed = true; return nil }

func TestDrainAndClose(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		wantRead int
	}{
		{"empty", 0, 0},
		{"short body drained", 1000, 1000},
		{"long body capped at 4 KiB", 1 << 20, 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &retryCountingBody{r: strings.NewReader(strings.Repeat("x", tt.size))}
			DrainAndClose(b)
			if b.read != tt.wantRead || !b.closed {
				t.Errorf("read %d bytes, closed %v; want %d, true", b.read, b.closed, tt.wantRead)
			}
		})
	}
	t.Run("nil body", func(t *testing.T) { DrainAndClose(nil) })
}
