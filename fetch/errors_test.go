package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no userinfo", "http://example.com/a?b=c", "http://example.com/a?b=c"},
		{"user and password", "http://user:pass@example.com/a", "http://example.com/a"},
		{"user only", "https://user@example.com:8443/", "https://example.com:8443/"},
		{"at sign in query kept", "http://example.com/?mail=a@b.c", "http://example.com/?mail=a@b.c"},
		{"at sign in path kept", "http://example.com/@user", "http://example.com/@user"},
		{"unparseable with userinfo", "http://us er:p%zz@exa mple.com/x", "http://exa mple.com/x"},
		{"unparseable password with at", "http://u:p@ss@h%zz/x", "http://h%zz/x"},
		{"not a url", "just text", "just text"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	connReset := &url.Error{Op: "Get", URL: "http://h/", Err: &net.OpError{
		Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}
	connRefused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"policy", &PolicyError{Host: "h", IP: "127.0.0.1", Reason: "loopback"}, false},
		{"too large", &TooLargeError{Limit: 1}, false},
		{"status 408", &StatusError{Code: 408}, true},
		{"status 429", &StatusError{Code: 429}, true},
		{"status 500", &StatusError{Code: 500}, true},
		{"status 502", &StatusError{Code: 502}, true},
		{"status 503", &StatusError{Code: 503}, true},
		{"status 504", &StatusError{Code: 504}, true},
		{"status 501", &StatusError{Code: 501}, false},
		{"status 404", &StatusError{Code: 404}, false},
		{"status 403", &StatusError{Code: 403}, false},
		{"wrapped status 503", fmt.Errorf("crawl: %w", &StatusError{Code: 503}), true},
		{"timeout connect", &TimeoutError{Phase: PhaseConnect}, true},
		{"timeout body", fmt.Errorf("x: %w", &TimeoutError{Phase: PhaseBody}), true},
		{"short body", &ShortBodyError{Got: 1, Want: 2}, true},
		{"context canceled", fmt.Errorf("fetch: get x: %w", context.Canceled), false},
		{"context deadline", fmt.Errorf("fetch: get x: %w", context.DeadlineExceeded), false},
		{"eof", fmt.Errorf("fetch: get x: %w", io.EOF), true},
		{"unexpected eof", io.ErrUnexpectedEOF, true},
		{"connection reset", connReset, true},
		{"connection refused", connRefused, true},
		{"dns not found", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, false},
		{"dns timeout", &net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}, true},
		{"tls unknown authority", &url.Error{Op: "Get", URL: "https://h/", Err: x509.UnknownAuthorityError{}}, false},
		{"plain error", errors.New("something"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	const secretURL = "http://user:secret@example.com/img.png"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"status", &StatusError{URL: secretURL, Code: 404}, "fetch: http://example.com/img.png: status 404 not found"},
		{"unknown status", &StatusError{URL: secretURL, Code: 599}, "fetch: http://example.com/img.png: status 599"},
		{"policy", &PolicyError{URL: secretURL, Host: "example.com", IP: "10.0.0.1", Reason: "private"},
			"fetch: http://example.com/img.png: refused to connect to private address 10.0.0.1 of example.com"},
		{"policy ip literal", &PolicyError{Host: "127.0.0.1", IP: "127.0.0.1", Reason: "loopback"},
			"fetch: 127.0.0.1: refused to connect to loopback address 127.0.0.1"},
		{"too large declared", &TooLargeError{URL: secretURL, Limit: 10, Declared: 20},
			"fetch: http://example.com/img.png: declared body of 20 bytes exceeds the 10-byte limit"},
		{"too large read", &TooLargeError{URL: secretURL, Limit: 10, Declared: -1},
			"fetch: http://example.com/img.png: body exceeds the 10-byte limit"},
		{"timeout", &TimeoutError{URL: secretURL, Phase: PhaseHeader}, "fetch: http://example.com/img.png: header timeout"},
		{"short known", &ShortBodyError{URL: secretURL, Got: 3, Want: 9}, "fetch: http://example.com/img.png: body cut off after 3 of 9 bytes"},
		{"short chunked", &ShortBodyError{URL: secretURL, Got: 3, Want: -1}, "fetch: http://example.com/img.png: body cut off after 3 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err.Error()
			if got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "secret") {
				t.Errorf("Error() leaks the password: %q", got)
			}
		})
	}
}

func TestShortBodyErrorUnwraps(t *testing.T) {
	var err error = fmt.Errorf("x: %w", &ShortBodyError{Got: 1, Want: 2})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("ShortBodyError does not match io.ErrUnexpectedEOF")
	}
	var to interface{ Timeout() bool }
	if !errors.As(error(&TimeoutError{Phase: PhaseBody}), &to) || !to.Timeout() {
		t.Error("TimeoutError does not report Timeout() == true")
	}
}
