package fetch

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryPolicy decides whether attempt (1-based count of failures so far)
// should be retried and after how long. resp is the response that failed,
// or nil when err, the transport or body error, is set. A policy does not
// sleep and does not read or close resp.Body; the caller re-queues the
// request after wait and limits the number of attempts and the wait.
type RetryPolicy func(resp *http.Response, err error, attempt int) (retry bool, wait time.Duration)

// DefaultRetryPolicy retries errors that Retryable accepts and responses
// with status 408, 429, 500, 502, 503 or 504 (never 501). The wait is the
// response's Retry-After (seconds or HTTP-date, on 429 and 503) when it has
// a valid one, otherwise an exponential backoff with jitter: 500ms doubling
// per attempt, randomized by ±50%, at most one minute. It puts no limit on
// the number of attempts. It is safe for concurrent use.
func DefaultRetryPolicy(resp *http.Response, err error, attempt int) (retry bool, wait time.Duration) {
	switch {
	case err != nil:
		if !Retryable(err) {
			return false, 0
		}
	case resp == nil || !errorsRetryableStatus(resp.StatusCode):
		return false, 0
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return true, d
		}
	}
	return true, retryBackoff(attempt)
}

var _ RetryPolicy = DefaultRetryPolicy

// retryMaxWait caps the backoff schedule.
const retryMaxWait = time.Minute

// retryBackoff returns the jittered backoff before retry number attempt.
func retryBackoff(attempt int) time.Duration {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     500 * time.Millisecond,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         retryMaxWait,
	}
	// The interval reaches MaxInterval after 7 doublings; later attempts
	// draw from the same distribution.
	attempt = max(1, min(attempt, 16))
	var d time.Duration
	for range attempt {
		d = b.NextBackOff()
	}
	return min(d, retryMaxWait)
}

// ParseRetryAfter parses a Retry-After header value, either delay-seconds
// or an HTTP-date, relative to now. A date in the past means no wait (0,
// true). ok is false when v is empty or invalid. Absurdly large values are
// clamped rather than overflowing; callers cap the wait they accept.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' && strings.Trim(v, "0123456789") == "" {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil || secs > uint64(math.MaxInt64/int64(time.Second)) {
			return time.Duration(math.MaxInt64), true // too many digits: effectively never
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(0, t.Sub(now)), true
}

// retryDrainLimit bounds what DrainAndClose reads.
const retryDrainLimit = 4 << 10

// DrainAndClose reads and discards at most 4 KiB of body, so that a
// keep-alive connection can be reused when the rest is short, then closes
// it. A nil body is ignored.
func DrainAndClose(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, body, retryDrainLimit)
	_ = body.Close()
}
