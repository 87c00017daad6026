package fetch

import (
	"net/url"
	"strings"
	"testing"
)

// The cases below port the matching tests of Google's reference robots.txt
// parser, github.com/google/robotstxt, file robots_test.cc (Apache-2.0),
// rewritten as Go tables. Each group is named after the C++ test it comes
// from. Where RFC 9309 and Google's matcher disagree we follow the RFC; the
// few cases affected say so.

// robotsConformanceCase is one robots.txt with URLs and expected answers.
type robotsConformanceCase struct {
	name   string
	body   string
	agent  string
	checks map[string]bool // full URL -> allowed
}

// robotsTarget turns a full URL into the request target Allowed expects,
// as a crawler would: parse it, then take its RequestURI.
func robotsTarget(t *testing.T, raw string) string {
	t.Helper()
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("bad test URL %q: %v", raw, err)
	}
	return u.RequestURI()
}

func runRobotsConformance(t *testing.T, cases []robotsConformanceCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ParseRobots([]byte(tc.body))
			for raw, want := range tc.checks {
				if got := r.Allowed(tc.agent, robotsTarget(t, raw)); got != want {
					t.Errorf("agent %q, URL %q: allowed = %v, want %v", tc.agent, raw, got, want)
				}
			}
		})
	}
}

const robotsFooDisallowAll = "user-agent: FooBot\ndisallow: /\n"

func TestRobotsConformanceSystem(t *testing.T) {
	runRobotsConformance(t, []robotsConformanceCase{
		{"empty file allows", "", "FooBot", map[string]bool{"": true}},
		{"empty agent allowed", robotsFooDisallowAll, "", map[string]bool{"": true}},
		{"empty URL is root", robotsFooDisallowAll, "FooBot", map[string]bool{"": false}},
		{"all empty", "", "", map[string]bool{"": true}},
	})
}

func TestRobotsConformanceLineSyntax(t *testing.T) {
	const groups = "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\n" +
		"user-agent: BarBot\ndisallow: /\nallow: /y/\n\n\nallow: /w/\n" +
		"user-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n"
	const (
		w, x, y, z = "http://foo.bar/w/a", "http://foo.bar/x/b", "http://foo.bar/y/c", "http://foo.bar/z/d"
		foo        = "http://foo.bar/foo/bar/"
	)
	runRobotsConformance(t, []robotsConformanceCase{
		{"correct line", robotsFooDisallowAll, "FooBot", map[string]bool{"http://foo.bar/x/y": false}},
		{"unknown keys", "foo: FooBot\nbar: /\n", "FooBot", map[string]bool{"http://foo.bar/x/y": true}},
		{"missing colon accepted", "user-agent FooBot\ndisallow /\n", "FooBot", map[string]bool{"http://foo.bar/x/y": false}},
		{"groups FooBot", groups, "FooBot", map[string]bool{x: true, z: true, y: false, foo: false}},
		{"groups BarBot", groups, "BarBot", map[string]bool{y: true, w: true, z: false, foo: false}},
		{"groups BazBot", groups, "BazBot", map[string]bool{z: true, foo: false}},
	})
}

func TestRobotsConformanceCase(t *testing.T) {
	var cases []robotsConformanceCase
	for _, body := range []string{
		"USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n",
		"user-agent: FooBot\nallow: /x/\ndisallow: /\n",
		"uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n",
	} {
		cases = append(cases, robotsConformanceCase{"line names " + body[:10], body, "FooBot",
			map[string]bool{"http://foo.bar/x/y": true, "http://foo.bar/a/b": false}})
	}
	for _, ua := range []string{"FOO BAR", "foo bar", "FoO bAr"} {
		body := "User-Agent: " + ua + "\nAllow: /x/\nDisallow: /\n"
		for _, agent := range []string{"Foo", "foo"} {
			cases = append(cases, robotsConformanceCase{"agent value " + ua + " as " + agent, body, agent,
				map[string]bool{"http://foo.bar/x/y": true, "http://foo.bar/a/b": false}})
		}
	}
	cases = append(cases,
		robotsConformanceCase{"paths are case-sensitive", "user-agent: FooBot\ndisallow: /x/\n", "FooBot",
			map[string]bool{"http://foo.bar/x/y": false}},
		robotsConformanceCase{"paths are case-sensitive upper", "user-agent: FooBot\ndisallow: /X/\n", "FooBot",
			map[string]bool{"http://foo.bar/x/y": true}},
	)
	runRobotsConformance(t, cases)
}

func TestRobotsConformanceUserAgents(t *testing.T) {
	const upToSpace = "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n"
	const global = "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n"
	const specific = "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n"
	const u = "http://foo.bar/x/y"
	runRobotsConformance(t, []robotsConformanceCase{
		{"value up to first space", upToSpace, "Foo", map[string]bool{u: true}},
		{"agent with space is not a token", upToSpace, "Foo Bar", map[string]bool{u: false}},
		{"empty file", "", "FooBot", map[string]bool{u: true}},
		{"specific over global", global, "FooBot", map[string]bool{u: false}},
		{"global applies to others", global, "BarBot", map[string]bool{u: true}},
		{"no matching group", specific, "QuxBot", map[string]bool{u: true}},
	})
}

func TestRobotsConformanceLongestMatch(t *testing.T) {
	const page = "http://foo.bar/x/page.html"
	runRobotsConformance(t, []robotsConformanceCase{
		{"disallow longer", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", "FooBot",
			map[string]bool{page: false}},
		{"allow longer", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot",
			map[string]bool{page: true, "http://foo.bar/x/": false}},
		{"both empty", "user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", map[string]bool{page: true}},
		{"both root", "user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", map[string]bool{page: true}},
		{"trailing slash", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot",
			map[string]bool{"http://foo.bar/x": false, "http://foo.bar/x/": true}},
		{"equal patterns", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", "FooBot",
			map[string]bool{page: true}},
		{"wildcard longer", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot",
			map[string]bool{"http://foo.bar/page.html": false, "http://foo.bar/page": true}},
		{"literal longer", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot",
			map[string]bool{page: true, "http://foo.bar/x/y.html": false}},
		{"specific group only", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot",
			map[string]bool{"http://foo.bar/x/page": true, "http://foo.bar/y/page": false}},
	})
}

func TestRobotsConformanceEncoding(t *testing.T) {
	const pre = "User-agent: FooBot\nDisallow: /\n"
	runRobotsConformance(t, []robotsConformanceCase{
		{"query stays unencoded", pre + "Allow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n", "FooBot",
			map[string]bool{"http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par": true}},
		// Google answers false for the raw "ツ" URL because its matcher does
		// not encode URLs; RFC 9309 encodes both sides, and so do we
		// (net/url would encode it anyway).
		{"3-byte character", pre + "Allow: /foo/bar/ツ\n", "FooBot",
			map[string]bool{"http://foo.bar/foo/bar/%E3%83%84": true, "http://foo.bar/foo/bar/ツ": true}},
		{"escaped 3-byte character", pre + "Allow: /foo/bar/%E3%83%84\n", "FooBot",
			map[string]bool{"http://foo.bar/foo/bar/%E3%83%84": true, "http://foo.bar/foo/bar/ツ": true}},
		// Google answers false for "/foo/bar/baz"; RFC 9309 section 2.2.2
		// says escaped unreserved characters are decoded before comparing.
		{"escaped unreserved", pre + "Allow: /foo/bar/%62%61%7A\n", "FooBot",
			map[string]bool{"http://foo.bar/foo/bar/baz": true, "http://foo.bar/foo/bar/%62%61%7A": true}},
	})
}

func TestRobotsConformanceSpecialCharacters(t *testing.T) {
	runRobotsConformance(t, []robotsConformanceCase{
		{"star", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", map[string]bool{
			"http://foo.bar/foo/bar/quz": false, "http://foo.bar/foo/quz": true,
			"http://foo.bar/foo//quz": true, "http://foo.bar/foo/bax/quz": true}},
		{"dollar", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", map[string]bool{
			"http://foo.bar/foo/bar": false, "http://foo.bar/foo/bar/qux": true,
			"http://foo.bar/foo/bar/": true, "http://foo.bar/foo/bar/baz": true}},
		{"comments", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", map[string]bool{
			"http://foo.bar/foo/bar": true, "http://foo.bar/foo/quz": false}},
		{"index.html is the directory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot",
			map[string]bool{
				"http://foo.com/allowed-slash/": true, "http://foo.com/allowed-slash/index.htm": false,
				"http://foo.com/allowed-slash/index.html": true, "http://foo.com/anyother-url": false}},
	})
}

func TestRobotsConformanceLongLines(t *testing.T) {
	// Google keeps the first 8*2083-1 bytes of a line.
	const maxLine = 2083 * 8
	long := "/x/" + strings.Repeat("a", maxLine-len("/x/")-len("disallow: ")+1-len("/x/"))
	longA := "/x/" + strings.Repeat("a", maxLine-len("/x/")-len("allow: ")+1-len("/x/"))
	longB := "/x/" + strings.Repeat("b", len(longA)-len("/x/"))
	runRobotsConformance(t, []robotsConformanceCase{
		{"disallow cut", "user-agent: FooBot\ndisallow: " + long + "/qux\n", "FooBot", map[string]bool{
			"http://foo.bar/fux": true, "http://foo.bar" + long + "/fux": false}},
		{"allow cut", "user-agent: FooBot\ndisallow: /\nallow: " + longA + "/qux\nallow: " + longB + "/qux\n", "FooBot",
			map[string]bool{
				"http://foo.bar/": false, "http://foo.bar" + longA + "/qux": true,
				"http://foo.bar" + longB + "/fux": true}},
	})
}

func TestRobotsConformanceDocumentation(t *testing.T) {
	const pre = "user-agent: FooBot\ndisallow: /\n"
	fish := map[string]bool{
		"http://foo.bar/bar": false, "http://foo.bar/fish": true, "http://foo.bar/fish.html": true,
		"http://foo.bar/fish/salmon.html": true, "http://foo.bar/fishheads": true,
		"http://foo.bar/fishheads/yummy.html": true, "http://foo.bar/fish.html?id=anything": true,
		"http://foo.bar/Fish.asp": false, "http://foo.bar/catfish": false, "http://foo.bar/?id=fish": false,
	}
	runRobotsConformance(t, []robotsConformanceCase{
		{"fish", pre + "allow: /fish\n", "FooBot", fish},
		{"fish star", pre + "allow: /fish*\n", "FooBot", fish},
		{"fish slash", pre + "allow: /fish/\n", "FooBot", map[string]bool{
			"http://foo.bar/bar": false, "http://foo.bar/fish/": true, "http://foo.bar/fish/salmon": true,
			"http://foo.bar/fish/?salmon": true, "http://foo.bar/fish/salmon.html": true,
			"http://foo.bar/fish/?id=anything": true, "http://foo.bar/fish": false,
			"http://foo.bar/fish.html": false, "http://foo.bar/Fish/Salmon.html": false}},
		{"php", pre + "allow: /*.php\n", "FooBot", map[string]bool{
			"http://foo.bar/bar": false, "http://foo.bar/filename.php": true,
			"http://foo.bar/folder/filename.php": true, "http://foo.bar/folder/filename.php?parameters": true,
			"http://foo.bar//folder/any.php.file.html": true, "http://foo.bar/filename.php/": true,
			"http://foo.bar/index?f=filename.php/": true, "http://foo.bar/php/": false,
			"http://foo.bar/index?php": false, "http://foo.bar/windows.PHP": false}},
		{"php dollar", pre + "allow: /*.php$\n", "FooBot", map[string]bool{
			"http://foo.bar/bar": false, "http://foo.bar/filename.php": true,
			"http://foo.bar/folder/filename.php": true, "http://foo.bar/filename.php?parameters": false,
			"http://foo.bar/filename.php/": false, "http://foo.bar/filename.php5": false,
			"http://foo.bar/php/": false, "http://foo.bar/filename?php": false,
			"http://foo.bar/aaaphpaaa": false, "http://foo.bar//windows.PHP": false}},
		{"fish star php", pre + "allow: /fish*.php\n", "FooBot", map[string]bool{
			"http://foo.bar/bar": false, "http://foo.bar/fish.php": true,
			"http://foo.bar/fishheads/catfish.php?parameters": true, "http://foo.bar/Fish.PHP": false}},
		{"precedence p", "user-agent: FooBot\nallow: /p\ndisallow: /\n", "FooBot",
			map[string]bool{"http://example.com/page": true}},
		{"precedence folder", "user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", "FooBot",
			map[string]bool{"http://example.com/folder/page": true}},
		{"precedence htm", "user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", "FooBot",
			map[string]bool{"http://example.com/page.htm": false}},
		{"precedence root", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot",
			map[string]bool{"http://example.com/": true, "http://example.com/page.html": false}},
	})
}

func TestRobotsConformanceLineEndingsAndBOM(t *testing.T) {
	// Google counts parsed directives; we check the rules took effect.
	const u = "http://foo.bar/some/path"
	var cases []robotsConformanceCase
	for name, body := range map[string]string{
		"unix":       "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n",
		"dos":        "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n",
		"mac":        "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\r\rDisallow: /\r",
		"no final":   "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /",
		"mixed":      "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /",
		"sitemap in": "Sitemap: http://foo.bar/sitemap.xml\nUser-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n",
	} {
		cases = append(cases,
			robotsConformanceCase{name + " bar", body, "bar", map[string]bool{u: false}},
			robotsConformanceCase{name + " foo", body, "foo", map[string]bool{u: true}})
	}
	for name, tc := range map[string]struct {
		prefix string
		want   bool // whether /AnyValue stays allowed for foo
	}{
		"full BOM":       {"\xEF\xBB\xBF", false},
		"partial BOM 2":  {"\xEF\xBB", false},
		"partial BOM 1":  {"\xEF", false},
		"broken BOM":     {"\xEF\x11\xBF", true},
		"BOM mid-file":   {"", true},
		"no BOM control": {"", false},
	} {
		body := tc.prefix + "User-Agent: foo\nDisallow: /AnyValue\n"
		if name == "BOM mid-file" {
			body = "User-Agent: foo\n\xEF\xBB\xBFDisallow: /AnyValue\n"
		}
		cases = append(cases, robotsConformanceCase{name, body, "foo",
			map[string]bool{"http://foo.bar/AnyValue": tc.want}})
	}
	runRobotsConformance(t, cases)
}
