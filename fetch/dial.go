package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// dialPolicy dials TCP connections for the transport and enforces the
// address policy on the addresses actually dialed: the host is resolved
// here, every resolved IP is checked, and only checked IPs are dialed, so
// DNS rebinding and numeric host spellings cannot reach internal networks.
// It is safe for concurrent use.
type dialPolicy struct {
	off      bool                // AllowPrivate: no checks at all
	mu       sync.RWMutex        // guards allow
	allow    map[string]struct{} // normalized host names and canonical IPs exempt from the policy
	timeout  time.Duration       // whole connect budget: resolution plus every attempt
	dialer   *net.Dialer
	resolver *net.Resolver
}

// dialDecisionKey is the context key carrying a dialDecision to ControlContext.
type dialDecisionKey struct{}

// dialDecision records what DialContext decided, for the ControlContext belt.
type dialDecision struct {
	host    string
	allowed bool // the host or its resolved IP is in the allow list
}

func newDialPolicy(off bool, allowHosts []string, timeout time.Duration) *dialPolicy {
	p := &dialPolicy{
		off:      off,
		allow:    make(map[string]struct{}, len(allowHosts)),
		timeout:  timeout,
		resolver: net.DefaultResolver,
	}
	for _, h := range allowHosts {
		if k := dialNormalizeHost(h); k != "" {
			p.allow[k] = struct{}{}
		}
	}
	p.dialer = &net.Dialer{
		Timeout:        timeout,
		KeepAlive:      30 * time.Second,
		ControlContext: p.control,
	}
	return p
}

// allowHost adds host (a name, an IP, or host:port) to the allow list.
func (p *dialPolicy) allowHost(host string) {
	if k := dialNormalizeHost(host); k != "" {
		p.mu.Lock()
		p.allow[k] = struct{}{}
		p.mu.Unlock()
	}
}

// isAllowed reports whether a normalized host or canonical IP is exempt.
func (p *dialPolicy) isAllowed(k string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.allow[k]
	return ok
}

// dialNormalizeHost lowercases a host, strips a port, brackets and a
// trailing dot, and spells IP addresses canonically (numeric IPv4 forms
// such as "2130706433" or "0x7f.1" included).
func dialNormalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if ip, ok := dialParseIP(h); ok {
		return ip.String()
	}
	return h
}

// dialParseIP parses an IP literal, including the legacy IPv4 spellings a
// browser or getaddrinfo accepts (decimal, octal and hex parts, fewer than
// four parts). Zones are dropped.
func dialParseIP(h string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.WithZone("").Unmap(), true
	}
	return dialParseLegacyIPv4(h)
}

// dialParseLegacyIPv4 implements the WHATWG IPv4 parser: one to four
// dot-separated numbers, each decimal, octal (leading 0) or hex (0x), the
// last filling the remaining bytes. "2130706433", "0x7f.1" and "0177.0.0.1"
// all mean 127.0.0.1.
func dialParseLegacyIPv4(h string) (netip.Addr, bool) {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, part := range parts {
		n, ok := dialParseIPv4Number(part)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v |= n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func dialParseIPv4Number(s string) (uint64, bool) {
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 32)
	return n, err == nil
}

// dialPrefixes lists the refused IPv4 and IPv6 ranges and why.
var dialPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

var (
	dialNAT64   = netip.MustParsePrefix("64:ff9b::/96")
	dialCompat  = netip.MustParsePrefix("::/96")
	dialSixToFo = netip.MustParsePrefix("2002::/16")
)

// dialRefusal returns why ip may not be dialed, or "" when it may. IPv4
// addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4) are judged
// by the IPv4 address they lead to.
func dialRefusal(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case dialNAT64.Contains(ip), dialCompat.Contains(ip) && ip.Compare(netip.IPv6Loopback()) > 0:
			ip = netip.AddrFrom4([4]byte(b[12:16]))
		case dialSixToFo.Contains(ip):
			ip = netip.AddrFrom4([4]byte(b[2:6]))
		}
	}
	for _, r := range dialPrefixes {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	return ""
}

// DialContext resolves addr's host, checks the addresses and dials the
// first allowed one that answers. Refusals are *PolicyError; running out of
// the connect budget is *TimeoutError{Phase: PhaseConnect}.
func (p *dialPolicy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("fetch: dial %s: %w", addr, err)
	}
	dctx := ctx
	if p.timeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	conn, err := p.dial(dctx, network, host, port)
	if err != nil && ctx.Err() == nil && dctx.Err() != nil {
		return nil, &TimeoutError{Phase: PhaseConnect}
	}
	return conn, err
}

func (p *dialPolicy) dial(ctx context.Context, network, host, port string) (net.Conn, error) {
	if p.off {
		return p.dialer.DialContext(ctx, network, net.JoinHostPort(host, port))
	}
	norm := dialNormalizeHost(host)
	hostAllowed := p.isAllowed(norm)
	if ip, ok := dialParseIP(norm); ok {
		return p.dialIPs(ctx, network, host, port, []netip.Addr{ip}, hostAllowed)
	}
	lookup := "ip"
	switch network {
	case "tcp4":
		lookup = "ip4"
	case "tcp6":
		lookup = "ip6"
	}
	ips, err := p.resolver.LookupNetIP(ctx, lookup, host)
	if err != nil {
		return nil, err
	}
	return p.dialIPs(ctx, network, host, port, ips, hostAllowed)
}

func (p *dialPolicy) dialIPs(ctx context.Context, network, host, port string, ips []netip.Addr, hostAllowed bool) (net.Conn, error) {
	var refused *PolicyError
	var firstErr error
	for _, ip := range ips {
		ip = ip.WithZone("").Unmap()
		ipAllowed := p.isAllowed(ip.String())
		allowed := hostAllowed || ipAllowed
		if !allowed {
			if reason := dialRefusal(ip); reason != "" {
				if refused == nil {
					refused = &PolicyError{Host: host, IP: ip.String(), Reason: reason}
				}
				continue
			}
		}
		dctx := context.WithValue(ctx, dialDecisionKey{}, dialDecision{host: host, allowed: allowed})
		conn, err := p.dialer.DialContext(dctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if refused != nil {
		return nil, refused
	}
	return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
}

// control is the last check, run by net.Dialer on the socket about to
// connect: it refuses internal addresses unless DialContext marked the dial
// as allowed, so a dial that bypassed DialContext cannot slip through.
func (p *dialPolicy) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	if p.off {
		return nil
	}
	d, _ := ctx.Value(dialDecisionKey{}).(dialDecision)
	if d.allowed {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("fetch: dial %s: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("fetch: dial %s: %w", address, err)
	}
	if p.isAllowed(ip.WithZone("").Unmap().String()) {
		return nil
	}
	if reason := dialRefusal(ip); reason != "" {
		if d.host == "" {
			d.host = host
		}
		return &PolicyError{Host: d.host, IP: ip.WithZone("").Unmap().String(), Reason: reason}
	}
	return nil
}
