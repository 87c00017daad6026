package fetch

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func FuzzParseRobots(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /\n"), "imgcrawl", "/a/b?c")
	f.Add([]byte("\xEF\xBB\xBFuser-agent: imgcrawl\r\nallow: /x/*.gif$\r\ndisallow: /x\r\ncrawl-delay: 0.5"), "imgcrawl", "/x/a.gif")
	f.Add([]byte("User-agent: a\nUser-agent: b\nDisallow: /%E3%83%84\nAllow: /ä$\n# c\nSitemap: x"), "b", "/%e3%83%84")
	f.Add([]byte("disallow /\nuseragent *\ndisallow: /*/*/*$\nallow: /index.html"), "", "/%")
	f.Add([]byte("User-agent: *\nDisallow: /robots.txt\nDisallow: *"), "x", "/robots.txt")
	f.Fuzz(func(t *testing.T, body []byte, agent, target string) {
		r := ParseRobots(body)
		allowed := r.Allowed(agent, target)
		if r.Allowed(agent, target) != allowed {
			t.Fatal("Allowed is not deterministic")
		}
		r.CrawlDelay(agent)
		maps := r.Sitemaps()
		if len(maps) > robotsMaxMaps {
			t.Fatalf("%d sitemaps, more than the cap", len(maps))
		}
		for i, m := range maps {
			if m == "" || strings.ContainsAny(m, " \t\r\n#") || slices.Contains(maps[:i], m) {
				t.Fatalf("sitemap %q: empty, not one word, or repeated", m)
			}
		}
		if !r.Allowed(agent, "/robots.txt") {
			t.Fatal("/robots.txt disallowed")
		}
		// Hex case in escapes never changes the answer.
		if r.Allowed(agent, robotsLowerEscapes(target)) != allowed {
			t.Fatalf("target %q: answer changed when escape hex was lowercased", target)
		}
	})
}

// robotsLowerEscapes lowercases the hex digits of every %XX escape in s.
func robotsLowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' && robotsIsHexByte(b[i+1]) && robotsIsHexByte(b[i+2]) {
			b[i+1], b[i+2] = robotsLowerByte(b[i+1]), robotsLowerByte(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func robotsIsHexByte(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func robotsLowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// robotsReferenceMatch is a slow, obviously correct matcher: the pattern
// as an anchored regular expression.
func robotsReferenceMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	expr := "^(?s:" + strings.Join(parts, ".*") + ")"
	if anchored {
		expr += "$"
	}
	return regexp.MustCompile(expr).MatchString(path)
}

func FuzzRobotsMatch(f *testing.F) {
	f.Add("/fish", "/fish.html")
	f.Add("/*.php$", "/a/b.php")
	f.Add("/a*b*c$", "/abcabc")
	f.Add("/%7Ea", "/~a")
	f.Add("/ä*", "/%C3%A4x")
	f.Add("*", "")
	f.Add("/a$b", "/a$b")
	f.Fuzz(func(t *testing.T, rawPattern, rawPath string) {
		pattern, path := robotsNormalize(rawPattern), robotsNormalize(rawPath)
		if robotsNormalize(pattern) != pattern || robotsNormalize(path) != path {
			t.Fatalf("normalization not idempotent for %q / %q", rawPattern, rawPath)
		}
		got := robotsMatch(pattern, path)
		if !strings.ContainsAny(pattern, "*$") {
			if want := strings.HasPrefix(path, pattern); got != want {
				t.Fatalf("robotsMatch(%q, %q) = %v, want prefix test %v", pattern, path, got, want)
			}
		}
		if want := robotsReferenceMatch(pattern, path); got != want {
			t.Fatalf("robotsMatch(%q, %q) = %v, reference says %v", pattern, path, got, want)
		}
	})
}
