package crawler

import "testing"

func TestRegistrableDomain(t *testing.T) {
	tests := []struct {
		name string
		host string
		want string
	}{
		{"plain domain", "example.com", "example.com"},
		{"subdomain", "img.cdn.example.com", "example.com"},
		{"two-label suffix", "news.bbc.co.uk", "bbc.co.uk"},
		{"private suffix", "alice.github.io", "alice.github.io"},
		{"uppercase", "WWW.Example.COM", "example.com"},
		{"with port", "www.example.com:8080", "example.com"},
		{"trailing dot", "www.example.com.", "example.com"},
		{"punycode", "www.xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"IPv4", "127.0.0.1", "127.0.0.1"},
		{"IPv4 with port", "127.0.0.1:8080", "127.0.0.1"},
		{"IPv6 bracketed with port", "[::1]:8080", "::1"},
		{"IPv6 bracketed", "[2001:DB8::1]", "2001:db8::1"},
		{"IPv6 bare", "::1", "::1"},
		{"localhost", "localhost", "localhost"},
		{"localhost with port", "LOCALHOST:3000", "localhost"},
		{"public suffix itself", "co.uk", "co.uk"},
		{"single label", "intranet", "intranet"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := registrableDomain(tt.host); got != tt.want {
				t.Fatalf("RegistrableDomain(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}
