package fetch

import (
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"
)

const cookieTestFile = "\ufeff# Netscape HTTP Cookie File\r\n" +
	"# a comment\r\n" +
	"\r\n" +
	".example.com\tTRUE\t/\tFALSE\t0\tsession\tabc\r\n" +
	"shop.example.com\tFALSE\t/cart\tTRUE\t4102444800\tcart\t42\n" +
	"#HttpOnly_.example.com\tTRUE\t/\tFALSE\t4102444800\tsid\ts3cr=t\n" +
	"old.example.com\tFALSE\t/\tFALSE\t1000\texpired\tgone\n" +
	"127.0.0.1\tFALSE\t/\tFALSE\t0\tlocal\tyes\n" +
	"example.org\tfalse\t/\tfalse\t0\tempty\n"

func TestCookieParseNetscape(t *testing.T) {
	got, err := cookieParseNetscape(strings.NewReader(cookieTestFile))
	if err != nil {
		t.Fatal(err)
	}
	far := time.Unix(4102444800, 0)
	want := []cookieEntry{
		{domain: "example.com", subdomains: true, path: "/", name: "session", value: "abc"},
		{domain: "shop.example.com", path: "/cart", secure: true, expires: far, name: "cart", value: "42"},
		{domain: "example.com", subdomains: true, path: "/", expires: far, name: "sid", value: "s3cr=t", httpOnly: true},
		{domain: "old.example.com", path: "/", expires: time.Unix(1000, 0), name: "expired", value: "gone"},
		{domain: "127.0.0.1", path: "/", name: "local", value: "yes"},
		{domain: "example.org", path: "/", name: "empty", value: ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed\n%+v\nwant\n%+v", got, want)
	}
}

func TestCookieParseNetscapeErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"too few fields", "example.com\tTRUE\t/\tFALSE\t0\n", "line 1: 5 tab-separated fields"},
		{"spaces not tabs", "# c\nexample.com TRUE / FALSE 0 n v\n", "line 2: 1 tab-separated fields"},
		{"bad flag", "example.com\tYES\t/\tFALSE\t0\tn\tv\n", "line 1: include-subdomains flag \"YES\""},
		{"bad secure", "example.com\tTRUE\t/\t1\t0\tn\tv\n", "secure flag"},
		{"bad expiry", "example.com\tTRUE\t/\tFALSE\tnever\tn\tv\n", "bad expiry \"never\""},
		{"negative expiry", "example.com\tTRUE\t/\tFALSE\t-1\tn\tv\n", "bad expiry"},
		{"empty name", "example.com\tTRUE\t/\tFALSE\t0\t\tv\n", "empty cookie name"},
		{"empty domain", "\tTRUE\t/\tFALSE\t0\tn\tv\n", "empty domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cookieParseNetscape(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCookieFill(t *testing.T) {
	entries, err := cookieParseNetscape(strings.NewReader(cookieTestFile))
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		t.Fatal(err)
	}
	cookieFill(jar, entries, time.Unix(2000, 0))
	tests := []struct {
		name, url string
		want      []string
	}{
		{"domain cookies reach subdomains", "http://www.example.com/", []string{"session=abc", "sid=s3cr=t"}},
		{"secure cookie needs https and path", "https://shop.example.com/cart/x", []string{"cart=42", "session=abc", "sid=s3cr=t"}},
		{"secure cookie not sent over http", "http://shop.example.com/cart/x", []string{"session=abc", "sid=s3cr=t"}},
		{"host-only cookie not on subdomain", "https://a.shop.example.com/cart/", []string{"session=abc", "sid=s3cr=t"}},
		{"expired cookie dropped", "http://old.example.com/", []string{"session=abc", "sid=s3cr=t"}},
		{"ip host", "http://127.0.0.1:8080/", []string{"local=yes"}},
		{"empty value", "http://example.org/", []string{"empty="}},
		{"unrelated host", "http://example.net/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := url.Parse(tt.url)
			var got []string
			for _, c := range jar.Cookies(u) {
				got = append(got, c.Name+"="+c.Value)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("cookies for %s = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}

func TestCookieLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("# ok\nexample.com\tMAYBE\t/\tFALSE\t0\tn\tv\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	tests := []struct {
		name, path string
		want       []string
	}{
		{"missing file", missing, []string{"fetch: cookie file", missing}},
		{"malformed line", bad, []string{"fetch: cookie file " + bad, "line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jar, _ := cookiejar.New(nil)
			err := cookieLoadFile(jar, tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func FuzzCookieParseNetscape(f *testing.F) {
	f.Add(cookieTestFile)
	f.Add("#HttpOnly_\n")
	f.Add(".a\tTRUE\t\tFALSE\t0\tn\tv")
	f.Add("a\tTRUE\t/\tFALSE\t99999999999999999999\tn\tv\n")
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := cookieParseNetscape(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.domain == "" || e.name == "" || !strings.HasPrefix(e.path, "/") {
				t.Fatalf("accepted a bad entry %+v", e)
			}
		}
		jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
		cookieFill(jar, entries, time.Unix(0, 0)) // must not panic
	})
}
