package fetch

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRobotsProductToken(t *testing.T) {
	tests := []struct {
		name, ua, want string
	}{
		{"plain", "imgcrawl", "imgcrawl"},
		{"version and comment", "imgcrawl/1.2 (+https://example.com/bot)", "imgcrawl"},
		{"uppercase", "ImgCrawl/2", "imgcrawl"},
		{"dash underscore digits", "My_Bot-2000 extra", "my_bot-2000"},
		{"leading space", "  foobot/1", "foobot"},
		{"empty", "", ""},
		{"starts with symbol", "(compatible; foo)", ""},
		{"non-ASCII", "ツbot", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RobotsProductToken(tt.ua); got != tt.want {
				t.Errorf("RobotsProductToken(%q) = %q, want %q", tt.ua, got, tt.want)
			}
		})
	}
}

func TestRobotsNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean", "/a/b?c=d", "/a/b?c=d"},
		{"unreserved escapes decoded", "/%62%61%7A%2d%2E%5f%7e", "/baz-._~"},
		{"reserved escape kept", "/a%2Fb%3f", "/a%2Fb%3F"},
		{"lowercase hex uppercased", "/%aa%e3%83%84", "/%AA%E3%83%84"},
		{"non-ASCII escaped", "/ä/ツ", "/%C3%A4/%E3%83%84"},
		{"space and controls escaped", "/a b\tc\x7f", "/a%20b%09c%7F"},
		{"lone percent", "/100%", "/100%25"},
		{"percent without hex", "/%zz%4", "/%25zz%254"},
		{"escaped percent kept", "/%25", "/%25"},
		{"wildcards untouched", "/*.gif$", "/*.gif$"},
		{"escaped star stays escaped", "/%2A", "/%2A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := robotsNormalize(tt.in)
			if got != tt.want {
				t.Errorf("robotsNormalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := robotsNormalize(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestRobotsMatch(t *testing.T) {
	tests := []struct {
		name, pattern, path string
		want                bool
	}{
		{"prefix", "/fish", "/fish.html", true},
		{"not prefix", "/fish", "/catfish", false},
		{"anchored at start", "/a", "/b/a", false},
		{"star middle", "/fish*.php", "/fishheads/cat.php?x", true},
		{"star middle no match", "/fish*.php", "/fish.html", false},
		{"leading star", "*.gif", "/a/b.gif", true},
		{"end anchor exact", "/a$", "/a", true},
		{"end anchor longer", "/a$", "/ab", false},
		{"star and anchor", "/*.php$", "/x/y.php", true},
		{"star and anchor suffix only", "/*.php$", "/x.php?q", false},
		{"anchor needs suffix after middle", "/a*b*c$", "/abxc", true},
		{"anchor overlapping literal", "/*ab$", "/ab", true},
		{"anchor no overlap", "/a*ab$", "/ab", false},
		{"star matches empty", "/a*", "/a", true},
		{"only star", "*", "/", true},
		{"dollar not at end is literal", "/a$b", "/a$b", true},
		{"dollar literal mismatch", "/a$b", "/a", false},
		{"repeated stars", "/**a**", "/xa", true},
		{"leftmost placement then rest", "/*a*b", "/a-a-b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := robotsMatch(tt.pattern, tt.path); got != tt.want {
				t.Errorf("robotsMatch(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
			}
		})
	}
}

func TestRobotsAllowed(t *testing.T) {
	type check struct {
		agent, target string
		want          bool
	}
	tests := []struct {
		name   string
		body   string
		checks []check
	}{
		{"empty file allows all", "", []check{{"imgcrawl", "/x", true}}},
		{"robots.txt always allowed",
			"User-agent: *\nDisallow: /\n",
			[]check{{"imgcrawl", "/robots.txt", true}, {"imgcrawl", "/robots.txt?x=1", true}, {"imgcrawl", "/robots.txtx", false}}},
		{"rules before user-agent ignored",
			"Disallow: /\nUser-agent: other\nDisallow: /o\n",
			[]check{{"imgcrawl", "/x", true}, {"other", "/o", false}, {"other", "/x", true}}},
		{"empty disallow allows",
			"User-agent: *\nDisallow:\n",
			[]check{{"imgcrawl", "/x", true}}},
		{"specific group beats star",
			"User-agent: *\nDisallow: /\n\nUser-agent: imgcrawl\nDisallow: /private\n",
			[]check{{"imgcrawl", "/public", true}, {"imgcrawl", "/private/a", false}, {"other", "/public", false}}},
		{"agent case-insensitive and versioned line",
			"User-agent: ImgCrawl/1.0\nDisallow: /x\n",
			[]check{{"imgcrawl", "/x", false}, {"IMGCRAWL", "/x", false}, {"imgcrawler", "/x", true}}},
		{"agent token is not a prefix match",
			"User-agent: img\nDisallow: /\n",
			[]check{{"imgcrawl", "/x", true}}},
		{"same agent groups merged",
			"User-agent: imgcrawl\nDisallow: /a\n\nUser-agent: other\nDisallow: /\n\nUser-agent: imgcrawl\nDisallow: /b\n",
			[]check{{"imgcrawl", "/a", false}, {"imgcrawl", "/b", false}, {"imgcrawl", "/c", true}}},
		{"star groups merged",
			"User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /\nUser-agent: *\nDisallow: /b\n",
			[]check{{"imgcrawl", "/a", false}, {"imgcrawl", "/b", false}, {"imgcrawl", "/c", true}}},
		{"consecutive agents share a group",
			"User-agent: a\nUser-agent: imgcrawl\nDisallow: /x\nUser-agent: b\nDisallow: /y\n",
			[]check{{"imgcrawl", "/x", false}, {"a", "/x", false}, {"imgcrawl", "/y", true}, {"b", "/x", true}}},
		{"agent with empty group is unrestricted",
			"User-agent: *\nDisallow: /\nUser-agent: imgcrawl\n",
			[]check{{"imgcrawl", "/x", true}}},
		{"sitemap and unknown lines do not end the agent list",
			"User-agent: a\nSitemap: http://x/s.xml\nFoo: bar\nUser-agent: imgcrawl\nDisallow: /x\n",
			[]check{{"a", "/x", false}, {"imgcrawl", "/x", false}}},
		{"crawl-delay ends the agent list",
			"User-agent: a\nCrawl-delay: 1\nUser-agent: imgcrawl\nDisallow: /x\n",
			[]check{{"a", "/x", true}, {"imgcrawl", "/x", false}}},
		{"longest match wins",
			"User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n",
			[]check{{"x", "/a/x", false}, {"x", "/a/b/x", true}, {"x", "/a/b/c", false}}},
		{"allow wins ties regardless of order",
			"User-agent: *\nDisallow: /a\nAllow: /a\nAllow: /b\nDisallow: /b\n",
			[]check{{"x", "/a", true}, {"x", "/b", true}}},
		{"pattern length counts wildcards",
			"User-agent: *\nAllow: /a*\nDisallow: /ab\n",
			[]check{{"x", "/ab", true}, {"x", "/ac", true}}},
		{"percent-encoding equivalence",
			"User-agent: *\nDisallow: /ä\nDisallow: /%7Euser\nDisallow: /q%3fx\n",
			[]check{{"x", "/%C3%A4", false}, {"x", "/%c3%a4", false}, {"x", "/~user", false}, {"x", "/q%3Fx", false}, {"x", "/q?x", true}}},
		{"query is part of the target",
			"User-agent: *\nDisallow: /*?sort=\n",
			[]check{{"x", "/list?sort=asc", false}, {"x", "/list", true}}},
		{"comments and whitespace",
			"  User-agent :  imgcrawl  # me\n\tDisallow\t:\t/x # not /y\n# Disallow: /\n",
			[]check{{"imgcrawl", "/x", false}, {"imgcrawl", "/y", true}}},
		{"typos and missing colon",
			"useragent: a\ndissallow: /1\nUser agent: b\ndisallow /2\nUSER_AGENT: c\nDisalow:/3\n",
			[]check{{"a", "/1", false}, {"b", "/2", false}, {"c", "/3", false}}},
		{"bad lines skipped",
			"User-agent: *\n\x00\xff garbage\nDisallow /x:y\n:\nDisallow: /z\n",
			[]check{{"x", "/x:y", false}, {"x", "/z", false}, {"x", "/a", true}}},
		{"CR line endings",
			"User-agent: *\rDisallow: /x\rAllow: /x/y\r",
			[]check{{"x", "/x", false}, {"x", "/x/y", true}}},
		{"CRLF line endings",
			"User-agent: *\r\nDisallow: /x\r\n\r\nAllow: /x/y",
			[]check{{"x", "/x", false}, {"x", "/x/y", true}}},
		{"BOM",
			"\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n",
			[]check{{"x", "/x", false}}},
		{"empty target is root",
			"User-agent: *\nDisallow: /$\n",
			[]check{{"x", "", false}, {"x", "/a", true}}},
		{"index.html allows its directory",
			"User-agent: *\nDisallow: /\nAllow: /d/index.html\n",
			[]check{{"x", "/d/", true}, {"x", "/d/index.html", true}, {"x", "/d/other", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ParseRobots([]byte(tt.body))
			for _, c := range tt.checks {
				if got := r.Allowed(c.agent, c.target); got != c.want {
					t.Errorf("Allowed(%q, %q) = %v, want %v", c.agent, c.target, got, c.want)
				}
			}
		})
	}
}

func TestRobotsNilAllowsAll(t *testing.T) {
	var r *Robots
	if !r.Allowed("imgcrawl", "/x") {
		t.Error("nil Robots disallowed /x")
	}
	if d, ok := r.CrawlDelay("imgcrawl"); ok || d != 0 {
		t.Errorf("nil Robots CrawlDelay = %v, %v", d, ok)
	}
}

func TestRobotsParseCap(t *testing.T) {
	head := "User-agent: *\nDisallow: /early\n"
	pad := strings.Repeat("#", robotsMaxParse-len(head))
	r := ParseRobots([]byte(head + pad + "\nDisallow: /late\n"))
	if r.Allowed("x", "/early") {
		t.Error("/early allowed: rule inside the cap was lost")
	}
	if !r.Allowed("x", "/late") {
		t.Error("/late disallowed: rule beyond 500 KiB was read")
	}
}

func TestRobotsLongLineCut(t *testing.T) {
	long := "/" + strings.Repeat("a", robotsMaxLine)
	r := ParseRobots([]byte("User-agent: *\nDisallow: " + long + "b\n"))
	// The cut pattern no longer ends in "b", so a path that differs only
	// there is disallowed too.
	if r.Allowed("x", long+"c") {
		t.Error("over-long line was not cut")
	}
	if !r.Allowed("x", "/a") {
		t.Error("/a disallowed")
	}
}

func TestRobotsCrawlDelay(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		agent  string
		want   time.Duration
		wantOK bool
	}{
		{"integer", "User-agent: *\nCrawl-delay: 5\n", "x", 5 * time.Second, true},
		{"fractional", "User-agent: *\nCrawl-delay: 0.5\n", "x", 500 * time.Millisecond, true},
		{"case and spacing", "user-agent: *\ncrawl-DELAY :2 # comment\n", "x", 2 * time.Second, true},
		{"specific group", "User-agent: *\nCrawl-delay: 9\nUser-agent: imgcrawl\nCrawl-delay: 1\n", "imgcrawl", time.Second, true},
		{"specific group without delay", "User-agent: *\nCrawl-delay: 9\nUser-agent: imgcrawl\nDisallow: /x\n", "imgcrawl", 0, false},
		{"first of merged groups wins", "User-agent: a\nCrawl-delay: 3\nUser-agent: a\nCrawl-delay: 4\n", "a", 3 * time.Second, true},
		{"invalid skipped", "User-agent: *\nCrawl-delay: soon\nCrawl-delay: 2\n", "x", 2 * time.Second, true},
		{"negative rejected", "User-agent: *\nCrawl-delay: -1\n", "x", 0, false},
		{"infinity rejected", "User-agent: *\nCrawl-delay: inf\n", "x", 0, false},
		{"huge clamped", "User-agent: *\nCrawl-delay: 1e300\n", "x", robotsMaxDelay, true},
		{"before user-agent ignored", "Crawl-delay: 5\nUser-agent: *\nDisallow: /\n", "x", 0, false},
		{"no group", "User-agent: other\nCrawl-delay: 5\n", "x", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := ParseRobots([]byte(tt.body)).CrawlDelay(tt.agent)
			if d != tt.want || ok != tt.wantOK {
				t.Errorf("CrawlDelay(%q) = %v, %v; want %v, %v", tt.agent, d, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestRobotsConcurrentReads lets the race detector check that matching
// never writes to a shared Robots.
func TestRobotsConcurrentReads(t *testing.T) {
	r := ParseRobots([]byte("User-agent: *\nDisallow: /a\nAllow: /a/%7Eb\nCrawl-delay: 1\n"))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			for j := 0; j < 200; j++ {
				if r.Allowed("x", "/a/~b") != true || r.Allowed("X", "/a/c") != false {
					t.Error("wrong answer under concurrency")
					return
				}
				r.CrawlDelay("x")
			}
		})
	}
	wg.Wait()
}

// TestRobotsSitemaps: Sitemap lines are read wherever they stand, in any
// group or none, without ending a group's agent list; repeats and values
// that are not one URL are dropped.
func TestRobotsSitemaps(t *testing.T) {
	body := "Sitemap: https://a.example/s1.xml\n" +
		"User-agent: other\nsitemap:https://a.example/s2.xml.gz # gzipped\nUser-agent: imgcrawl\nDisallow: /x\n" +
		"SITEMAP : https://a.example/s1.xml\nSitemap: two words\nSitemap:\nSitemap http://b.example/s3.xml\n"
	r := ParseRobots([]byte(body))
	want := []string{"https://a.example/s1.xml", "https://a.example/s2.xml.gz", "http://b.example/s3.xml"}
	if got := r.Sitemaps(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Sitemaps() = %q, want %q", got, want)
	}
	if r.Allowed("imgcrawl", "/x") || r.Allowed("other", "/x") {
		t.Error("a Sitemap line between two user-agent lines ended the agent list")
	}
	r.Sitemaps()[0] = "changed"
	if r.Sitemaps()[0] != want[0] {
		t.Error("Sitemaps returns the parsed file's own slice")
	}
	if (*Robots)(nil).Sitemaps() != nil {
		t.Error("a nil *Robots has sitemaps")
	}
	many := strings.Repeat("Sitemap: http://a.example/s\n", 3) + strings.Repeat("Sitemap: http://a.example/x\n", 2)
	for i := range robotsMaxMaps + 10 {
		many += fmt.Sprintf("Sitemap: http://a.example/%d.xml\n", i)
	}
	if n := len(ParseRobots([]byte(many)).Sitemaps()); n != robotsMaxMaps {
		t.Errorf("%d sitemaps kept, want the cap %d", n, robotsMaxMaps)
	}
}
