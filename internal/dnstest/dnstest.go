// Package dnstest serves DNS on a loopback UDP port for tests, so that a
// test of name lookups depends neither on the machine's resolver nor on a
// network: listed names resolve to their IPv4 address, and every other name
// is answered NXDOMAIN at once.
package dnstest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server is a running DNS server. Its methods are safe for concurrent use.
type Server struct {
	// Addr is the server's "127.0.0.1:PORT" (UDP).
	Addr    string
	pc      net.PacketConn
	hosts   map[string]netip.Addr
	queries atomic.Int64
	done    chan struct{}

	mu      sync.Mutex
	lookups map[string]int64 // A queries by name
}

// Start serves DNS for the test and returns a resolver that asks only this
// server (never /etc/resolv.conf's). hosts maps names (any case, without a
// trailing dot) to IPv4 addresses; nil answers every name NXDOMAIN. The
// server stops in t.Cleanup.
func Start(t testing.TB, hosts map[string]netip.Addr) (*net.Resolver, *Server) {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), pc: pc, hosts: make(map[string]netip.Addr),
		done: make(chan struct{}), lookups: make(map[string]int64)}
	for name, ip := range hosts {
		s.hosts[strings.ToLower(strings.TrimSuffix(name, "."))] = ip
	}
	go s.serve()
	t.Cleanup(func() { pc.Close(); <-s.done })
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp4", s.Addr)
	}}
	return r, s
}

// Queries returns how many queries the server has answered.
func (s *Server) Queries() int64 { return s.queries.Load() }

// Lookups returns how many times name (any case, no trailing dot) was
// asked for its IPv4 address: once per lookup, whatever the other types
// asked alongside.
func (s *Server) Lookups(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookups[strings.ToLower(strings.TrimSuffix(name, "."))]
}

func (s *Server) serve() {
	defer close(s.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return // closed
		}
		if out, ok := s.answer(buf[:n]); ok {
			s.queries.Add(1)
			_, _ = s.pc.WriteTo(out, from)
		}
	}
}

// answer builds the reply to one query: an A record for a listed name, no
// records for its other types, NXDOMAIN for any other name.
func (s *Server) answer(msg []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	name := strings.ToLower(strings.TrimSuffix(q.Name.String(), "."))
	ip, known := s.hosts[name]
	if q.Type == dnsmessage.TypeA {
		s.mu.Lock()
		s.lookups[name]++
		s.mu.Unlock()
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true,
		RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	if known && q.Type == dnsmessage.TypeA && ip.Is4() {
		hdr := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}
		if b.AResource(hdr, dnsmessage.AResource{A: ip.As4()}) != nil {
			return nil, false
		}
	}
	out, err := b.Finish()
	return out, err == nil
}
