package fetch

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clientTestNew builds a client that ignores environment proxies unless cfg
// names one, and closes its idle connections when the test ends.
func clientTestNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.Proxy == "" {
		cfg.Proxy = ProxyDirect
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func clientTestGetBody(t *testing.T, c *Client, url string, extra http.Header) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(context.Background(), url, extra, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestGetRequestHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ua=%s|accept=%s|x=%s|range=%s|host=%s",
			r.UserAgent(), r.Header.Get("Accept"), r.Header.Get("X-Token"), r.Header.Get("Range"), r.Host)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name  string
		cfg   Config
		extra http.Header
		want  string
	}{
		{"defaults", Config{}, nil, "ua=" + DefaultUserAgent + "|accept=|x=|range=|host=" + host},
		{"config headers", Config{UserAgent: "bot/1", Header: http.Header{"Accept": {"image/*"}, "x-token": {"t"}}},
			nil, "ua=bot/1|accept=image/*|x=t|range=|host=" + host},
		{"extra overrides config", Config{Header: http.Header{"Accept": {"image/*"}}},
			http.Header{"Accept": {"image/png"}, "Range": {"bytes=10-"}}, "ua=" + DefaultUserAgent + "|accept=image/png|x=|range=bytes=10-|host=" + host},
		{"host header", Config{Header: http.Header{"Host": {"images.example"}}}, nil,
			"ua=" + DefaultUserAgent + "|accept=|x=|range=|host=images.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.AllowPrivate = true
			c := clientTestNew(t, tt.cfg)
			if _, body := clientTestGetBody(t, c, srv.URL, tt.extra); body != tt.want {
				t.Errorf("server saw %q, want %q", body, tt.want)
			}
		})
	}
}

func TestGetDoesNotFollowRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusFound)
			return
		}
		io.WriteString(w, "new")
	}))
	defer srv.Close()
	c := clientTestNew(t, Config{AllowPrivate: true})
	resp, _ := clientTestGetBody(t, c, srv.URL+"/old", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/new" {
		t.Errorf("got %d Location %q, want 302 /new", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestGetCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/"})
		}
		var names []string
		for _, c := range r.Cookies() {
			names = append(names, c.Name+"="+c.Value)
		}
		io.WriteString(w, strings.Join(names, ";"))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(file, []byte("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tpref\tdark\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := clientTestNew(t, Config{AllowPrivate: true, CookieFile: file})
	steps := []struct{ path, want string }{
		{"/", "pref=dark"},
		{"/login", "pref=dark"},
		{"/after", "pref=dark;session=s1"},
	}
	for _, s := range steps {
		if _, body := clientTestGetBody(t, c, srv.URL+s.path, nil); body != s.want {
			t.Errorf("GET %s sent cookies %q, want %q", s.path, body, s.want)
		}
	}
	other := clientTestNew(t, Config{AllowPrivate: true})
	if _, body := clientTestGetBody(t, other, srv.URL+"/after", nil); body != "" {
		t.Errorf("a second client shares the jar: sent %q", body)
	}
}

func TestGetHeaderTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := clientTestNew(t, Config{AllowPrivate: true, HeaderTimeout: 200 * time.Millisecond})
	_, err := c.Get(context.Background(), srv.URL+"/slow", nil, 0)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Phase != PhaseHeader || te.URL != srv.URL+"/slow" {
		t.Fatalf("error = %v, want *TimeoutError{Phase: header}", err)
	}
	if !Retryable(err) {
		t.Error("a header timeout is not retryable")
	}
}

func TestGetContextEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := clientTestNew(t, Config{AllowPrivate: true, HeaderTimeout: time.Minute})
	canceled, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	expiring, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"canceled", canceled, context.Canceled},
		{"deadline", expiring, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(tt.ctx, srv.URL, nil, 0)
			var te *TimeoutError
			if !errors.Is(err, tt.want) || errors.As(err, &te) {
				t.Fatalf("error = %v, want one wrapping %v and no *TimeoutError", err, tt.want)
			}
			if Retryable(err) {
				t.Error("the caller's context ending is retryable")
			}
		})
	}
}

func TestGetTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	defer srv.Close()
	strict := clientTestNew(t, Config{AllowPrivate: true})
	if _, err := strict.Get(context.Background(), srv.URL, nil, 0); err == nil || Retryable(err) {
		t.Errorf("self-signed certificate: error = %v, want a non-retryable error", err)
	}
	insecure := clientTestNew(t, Config{AllowPrivate: true, Insecure: true})
	if _, body := clientTestGetBody(t, insecure, srv.URL, nil); body != "HTTP/1.1" {
		t.Errorf("insecure client got %q", body)
	}
}

func TestGetBadInput(t *testing.T) {
	c := clientTestNew(t, Config{})
	tests := []struct{ name, url, want string }{
		{"unparseable", "http://u:secret@[::1/", "fetch: bad url http://[::1/"},
		{"unsupported scheme", "ftp://example.com/a.png", `fetch: ftp://example.com/a.png: unsupported scheme "ftp"`},
		{"relative", "/a.png", `unsupported scheme ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), tt.url, nil, 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret") {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestNewClientValidation(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.txt")
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"zero config", Config{}, ""},
		{"http proxy", Config{Proxy: "http://127.0.0.1:3128"}, ""},
		{"bare proxy host", Config{Proxy: "proxy.example:3128"}, ""},
		{"socks5 proxy", Config{Proxy: "socks5://u:p@127.0.0.1:1080"}, ""},
		{"direct", Config{Proxy: ProxyDirect}, ""},
		{"proxy bad scheme", Config{Proxy: "ftp://user:secret@proxy:21"}, `fetch: proxy "ftp://proxy:21": unsupported scheme "ftp"`},
		{"proxy without host", Config{Proxy: "http://"}, "no host"},
		{"proxy unparseable", Config{Proxy: "http://[::1"}, "fetch: proxy"},
		{"missing cookie file", Config{CookieFile: missing}, missing},
		{"negative timeout", Config{IdleTimeout: -time.Second}, "fetch: IdleTimeout -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				c.CloseIdleConnections()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret") {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestGetViaHTTPProxy(t *testing.T) {
	seen := make(chan string, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.RequestURI
		io.WriteString(w, "from proxy")
	}))
	defer proxy.Close()
	// The address policy stays on: the proxy's own address is exempted.
	c := clientTestNew(t, Config{Proxy: proxy.URL})
	if _, body := clientTestGetBody(t, c, "http://images.example/cat.png", nil); body != "from proxy" {
		t.Errorf("body %q, want the proxy's answer", body)
	}
	if uri := <-seen; uri != "http://images.example/cat.png" {
		t.Errorf("proxy saw request URI %q, want the absolute target URL", uri)
	}
}

func TestGetViaSOCKS5Proxy(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "via socks "+r.Host)
	}))
	defer target.Close()
	addr, seen := clientTestSOCKS5(t, strings.TrimPrefix(target.URL, "http://"))
	c := clientTestNew(t, Config{Proxy: "socks5://" + addr})
	if _, body := clientTestGetBody(t, c, "http://images.example/cat.png", nil); body != "via socks images.example" {
		t.Errorf("body %q", body)
	}
	if dest := <-seen; dest != "images.example:80" {
		t.Errorf("SOCKS5 CONNECT to %q, want images.example:80", dest)
	}
}

// clientTestSOCKS5 runs a minimal SOCKS5 server (no authentication, CONNECT
// only) that records each requested destination and connects it to target.
func clientTestSOCKS5(t *testing.T, target string) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 8)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	track := func(c net.Conn) { mu.Lock(); open = append(open, c); mu.Unlock() }
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			track(c)
			wg.Go(func() {
				dest, err := clientTestSOCKS5Handshake(c)
				if err != nil {
					c.Close()
					return
				}
				seen <- dest
				up, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				track(up)
				c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
				wg.Go(func() { io.Copy(up, c); up.Close() })
				io.Copy(c, up)
				c.Close()
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String(), seen
}

func clientTestSOCKS5Handshake(c net.Conn) (string, error) {
	buf := make([]byte, 256)
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[0] != 5 {
		return "", fmt.Errorf("bad greeting: %v", err)
	}
	if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
		return "", err
	}
	if _, err := c.Write([]byte{5, 0}); err != nil {
		return "", err
	}
	if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[1] != 1 {
		return "", fmt.Errorf("not a CONNECT: %v", err)
	}
	var host string
	switch buf[3] {
	case 1:
		if _, err := io.ReadFull(c, buf[:4]); err != nil {
			return "", err
		}
		host = net.IP(buf[:4]).String()
	case 3:
		if _, err := io.ReadFull(c, buf[:1]); err != nil {
			return "", err
		}
		n := int(buf[0])
		if _, err := io.ReadFull(c, buf[:n]); err != nil {
			return "", err
		}
		host = string(buf[:n])
	default:
		return "", fmt.Errorf("address type %d", buf[3])
	}
	if _, err := io.ReadFull(c, buf[:2]); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, fmt.Sprint(binary.BigEndian.Uint16(buf[:2]))), nil
}
