package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDialRefusal(t *testing.T) {
	tests := []struct {
		ip, want string
	}{
		{"8.8.8.8", ""},
		{"93.184.216.34", ""},
		{"2606:4700::1111", ""},
		{"0.0.0.0", "this-network"},
		{"0.1.2.3", "this-network"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "shared (CGNAT)"},
		{"100.127.255.255", "shared (CGNAT)"},
		{"100.128.0.1", ""},
		{"169.254.169.254", "link-local"},
		{"224.0.0.1", "multicast"},
		{"255.255.255.255", "reserved or broadcast"},
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fc00::1", "unique-local"},
		{"fd12:3456::1", "unique-local"},
		{"fec0::1", "site-local"},
		{"ff02::1", "multicast"},
		{"::ffff:127.0.0.2", "loopback"},
		{"::ffff:10.0.0.1", "private"},
		{"::ffff:8.8.8.8", ""},
		{"::127.0.0.1", "loopback"},
		{"::169.254.169.254", "link-local"},
		{"64:ff9b::7f00:1", "loopback"},
		{"64:ff9b::a9fe:a9fe", "link-local"},
		{"64:ff9b::808:808", ""},
		{"64:ff9b:1::1", "local NAT64"},
		{"2002:7f00:1::", "loopback"},
		{"2002:c0a8:101::1", "private"},
		{"2002:808:808::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := dialRefusal(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("dialRefusal(%s) = %q, want %q", tt.ip, got, tt.want)
			}
		})
	}
}

func TestDialNormalizeHost(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Example.COM.", "example.com"},
		{"example.com:8080", "example.com"},
		{"[::1]", "::1"},
		{"[::1]:443", "::1"},
		{"::FFFF:127.0.0.2", "127.0.0.2"},
		{"2130706433", "127.0.0.1"},
		{"2130706434:80", "127.0.0.2"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7F.0.0.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"10.0x10.1", "10.16.0.1"},
		{"0x", "0.0.0.0"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", "4294967296"},
		{"256.0.0.1", "256.0.0.1"},
		{"1.2.3.4.5", "1.2.3.4.5"},
		{"08.0.0.1", "08.0.0.1"},
		{"1.2.3.-4", "1.2.3.-4"},
		{"1e3", "1e3"},
		{"0x7f.example", "0x7f.example"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := dialNormalizeHost(tt.in); got != tt.want {
				t.Errorf("dialNormalizeHost(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzDialNormalizeHost(f *testing.F) {
	for _, s := range []string{"2130706433", "0x7f.1", "[::ffff:127.0.0.1]:80", "Example.com.", "1.2.3.4.5", "0x", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		n := dialNormalizeHost(h)
		if ip, ok := dialParseLegacyIPv4(h); ok && !ip.Is4() {
			t.Fatalf("legacy IPv4 %q gave %v", h, ip)
		}
		if ip, ok := dialParseIP(n); ok && ip.String() != n {
			t.Fatalf("normalized %q to %q, which is not canonical (%v)", h, n, ip)
		}
	})
}

// dialTestServer serves "ok" on a listener bound to addr and counts the
// connections it accepts.
func dialTestServer(t *testing.T, addr string) (port string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	accepted = new(atomic.Int32)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, accepted
}

func TestClientAddressPolicyRefuses(t *testing.T) {
	port2, accepted2 := dialTestServer(t, "127.0.0.2:0")
	port1, accepted1 := dialTestServer(t, "127.0.0.1:0")
	c := clientTestNew(t, Config{AllowHosts: []string{"example.com"}})
	tests := []struct {
		name, url, wantIP, wantReason string
	}{
		{"loopback literal", "http://127.0.0.2:" + port2 + "/", "127.0.0.2", "loopback"},
		{"ipv4-mapped ipv6", "http://[::ffff:127.0.0.2]:" + port2 + "/", "127.0.0.2", "loopback"},
		{"decimal host", "http://2130706434:" + port2 + "/", "127.0.0.2", "loopback"},
		{"hex and short form", "http://0x7f.0.0.2:" + port2 + "/", "127.0.0.2", "loopback"},
		{"nat64", "http://[64:ff9b::7f00:2]:" + port2 + "/", "64:ff9b::7f00:2", "loopback"},
		{"name resolving to loopback", "http://localhost:" + port1 + "/", "127.0.0.1", "loopback"},
		{"ipv6 loopback", "http://[::1]:" + port1 + "/", "::1", "loopback"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"},
		{"private", "http://10.0.0.1/", "10.0.0.1", "private"},
		{"credentials redacted", "http://user:secret@127.0.0.2:" + port2 + "/", "127.0.0.2", "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), tt.url, nil, 0)
			if err == nil {
				resp.Body.Close()
				t.Fatal("request was allowed")
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *PolicyError", err, err)
			}
			if pe.IP != tt.wantIP || pe.Reason != tt.wantReason {
				t.Errorf("IP, Reason = %q, %q; want %q, %q", pe.IP, pe.Reason, tt.wantIP, tt.wantReason)
			}
			if pe.URL != Redact(tt.url) || strings.Contains(err.Error(), "secret") {
				t.Errorf("URL = %q, error %q: want the redacted URL", pe.URL, err)
			}
			if Retryable(err) {
				t.Error("a policy refusal is retryable")
			}
		})
	}
	if n1, n2 := accepted1.Load(), accepted2.Load(); n1 != 0 || n2 != 0 {
		t.Errorf("servers accepted %d and %d connections; refused dials must not connect", n1, n2)
	}
}

func TestClientAddressPolicyAllows(t *testing.T) {
	port2, _ := dialTestServer(t, "127.0.0.2:0")
	port1, _ := dialTestServer(t, "127.0.0.1:0")
	tests := []struct {
		name    string
		cfg     Config
		url     string
		allowed bool
	}{
		{"ip in allow list", Config{AllowHosts: []string{"127.0.0.2"}}, "http://127.0.0.2:" + port2 + "/", true},
		{"decimal host in allow list", Config{AllowHosts: []string{"2130706434"}}, "http://2130706434:" + port2 + "/", true},
		{"allow entry spelled differently", Config{AllowHosts: []string{"0x7f.0.0.2"}}, "http://127.0.0.2:" + port2 + "/", true},
		{"name in allow list", Config{AllowHosts: []string{"LOCALHOST."}}, "http://localhost:" + port1 + "/", true},
		{"allow entry with port", Config{AllowHosts: []string{"localhost:1"}}, "http://localhost:" + port1 + "/", true},
		{"allowed name does not allow its ip", Config{AllowHosts: []string{"localhost"}}, "http://127.0.0.1:" + port1 + "/", false},
		{"allowed ip does not allow others", Config{AllowHosts: []string{"127.0.0.1"}}, "http://127.0.0.2:" + port2 + "/", false},
		{"policy off", Config{AllowPrivate: true}, "http://127.0.0.2:" + port2 + "/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientTestNew(t, tt.cfg)
			resp, err := c.Get(context.Background(), tt.url, nil, 0)
			if !tt.allowed {
				var pe *PolicyError
				if !errors.As(err, &pe) {
					t.Fatalf("error = %v, want *PolicyError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if body, err := io.ReadAll(resp.Body); err != nil || string(body) != "ok" {
				t.Errorf("body %q, %v; want ok", body, err)
			}
		})
	}
}

func TestDialControlBelt(t *testing.T) {
	p := newDialPolicy(false, []string{"127.0.0.3"}, 0)
	allowed := context.WithValue(context.Background(), dialDecisionKey{}, dialDecision{host: "x", allowed: true})
	tests := []struct {
		name    string
		ctx     context.Context
		addr    string
		refused bool
	}{
		{"loopback without decision", context.Background(), "127.0.0.1:80", true},
		{"mapped loopback without decision", context.Background(), "[::ffff:127.0.0.1]:80", true},
		{"public without decision", context.Background(), "8.8.8.8:53", false},
		{"loopback with allowed decision", allowed, "127.0.0.1:80", false},
		{"allow-listed ip", context.Background(), "127.0.0.3:80", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.control(tt.ctx, "tcp", tt.addr, nil)
			var pe *PolicyError
			if refused := errors.As(err, &pe); refused != tt.refused {
				t.Errorf("control(%s) = %v, want refused=%v", tt.addr, err, tt.refused)
			}
		})
	}
}

// clientTestSilentListener accepts connections and never writes to them.
func clientTestSilentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func TestGetConnectTimeout(t *testing.T) {
	addr := clientTestSilentListener(t) // TCP connects, the TLS handshake never completes
	c := clientTestNew(t, Config{AllowPrivate: true, ConnectTimeout: 200 * time.Millisecond})
	_, err := c.Get(context.Background(), "https://"+addr+"/", nil, 0)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Phase != PhaseConnect {
		t.Fatalf("error = %v, want *TimeoutError{Phase: connect}", err)
	}
}
