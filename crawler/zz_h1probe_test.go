package crawler

import "testing"

func TestH1Probe(t *testing.T) {
	for _, s := range []string{
		"HTTP://Example.COM:80/a/./b/../c?b=2&a=1#frag",
		"https://example.com:443",
		"http://0x7f.1/",
		"http://2130706433/x",
		"http://bücher.example/ä?q=ü",
		"http://h/%7e%2f%41%zz|^`{}?q=%7e%2f|^`{}'\"",
		"http://us%41er:p%40ss@h/",
		"http://h/a b\t/c\n",
		"  http://h/x  ",
		"http://h/?",
		"http://h/?&&",
		"http://h/?a=1&&b=2&a=0",
		"http://[::1]:8080/",
		"http://[0:0::1]/",
		"http://a{b}.com/",
		"http://h/%2e%2E/x",
		"http://h/a/%2e%2E/x",
		"mailto:x@y",
		"javascript:alert(1)",
		"ftp://h/",
		"http://",
		"http://h:99999/",
		"http://example.com./",
		"http://EXAMPLE.com/Ä",
		"http://h/\\img\\a.png",
		"http://h:80@x/",
		"http://xn--bcher-kva.example/",
		"http://a_b.example/",
		"http://h/[x]",
		"http://h/\xff",
	} {
		u, err := Normalize(s)
		if err != nil {
			t.Logf("%q -> ERR %v", s, err)
			continue
		}
		t.Logf("%q -> %s (path=%q raw=%q q=%q)", s, u, u.Path, u.RawPath, u.RawQuery)
	}
}
