package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestStart(t *testing.T) {
	r, s := Start(t, map[string]netip.Addr{"Img.Example.Test.": netip.MustParseAddr("127.0.0.9")})
	ctx := context.Background()
	ips, err := r.LookupNetIP(ctx, "ip4", "img.example.test")
	if err != nil || len(ips) != 1 || ips[0] != netip.MustParseAddr("127.0.0.9") {
		t.Errorf("listed name: %v, %v", ips, err)
	}
	_, err = r.LookupNetIP(ctx, "ip", "img.example.invalid")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("unlisted name: %v, want a not-found *net.DNSError", err)
	}
	if s.Queries() == 0 || s.Lookups("IMG.example.invalid.") != 1 {
		t.Errorf("%d queries, %d lookups of the unlisted name; want some, and 1", s.Queries(), s.Lookups("img.example.invalid"))
	}
}
