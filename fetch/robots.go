package fetch

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits applied while parsing robots.txt.
const (
	robotsMaxParse = 500 << 10      // bytes read by ParseRobots; RFC 9309 allows ignoring the rest
	robotsMaxLine  = 2083*8 - 1     // longer lines are cut, as Google's parser does
	robotsMaxDelay = 24 * time.Hour // Crawl-delay cap, so a typo cannot park a host forever
	robotsMaxMaps  = 1000           // Sitemap lines kept; the rest are ignored
)

// Robots is a parsed robots.txt file, matched by the rules of RFC 9309.
// A nil *Robots, or one parsed from an empty file, allows everything.
// A Robots is never modified after ParseRobots returns, so it is safe for
// concurrent use by any number of goroutines.
type Robots struct {
	groups   map[string]*robotsGroup // merged groups by lowercased product token
	star     *robotsGroup            // merged "*" groups; nil when there are none
	sitemaps []string                // Sitemap lines, in order, without repeats
}

// robotsGroup holds the merged rules of every group naming one user agent.
type robotsGroup struct {
	rules    []robotsRule
	delay    time.Duration
	hasDelay bool
}

// robotsRule is one Allow or Disallow line; pattern is normalized with
// robotsNormalize.
type robotsRule struct {
	pattern string
	allow   bool
}

// robotsKey names the kinds of lines the parser understands.
type robotsKey int

const (
	robotsKeyUnknown robotsKey = iota
	robotsKeyAgent
	robotsKeyAllow
	robotsKeyDisallow
	robotsKeyDelay
	robotsKeySitemap
)

// ParseRobots parses a robots.txt body. It never fails: lines it does not
// understand are skipped, and only the first 500 KiB are read. A UTF-8 byte
// order mark, CR, LF and CRLF line endings, "#" comments, keys in any case,
// spaces around the colon, a missing colon ("Disallow /x") and a few common
// misspellings ("useragent", "user agent", "dissallow") are accepted. As in
// Google's parser, "Allow: /d/index.html" also allows "/d/" itself.
// Sitemap lines are kept whatever group they stand in (Robots.Sitemaps).
// body is not retained.
func ParseRobots(body []byte) *Robots {
	if len(body) > robotsMaxParse {
		body = body[:robotsMaxParse]
	}
	return robotsParse(body)
}

// robotsParse parses body without a size cap.
func robotsParse(body []byte) *Robots {
	r := &Robots{groups: make(map[string]*robotsGroup)}
	body = robotsStripBOM(body)
	var (
		current []*robotsGroup // groups the lines being read apply to
		inGroup bool           // a user-agent line has been seen
		inRules bool           // a rule line was seen since the last user-agent line
	)
	for len(body) > 0 {
		var line []byte
		line, body = robotsNextLine(body)
		if len(line) > robotsMaxLine {
			line = line[:robotsMaxLine]
		}
		key, value, ok := robotsSplitLine(line)
		if !ok {
			continue
		}
		if key == robotsKeySitemap {
			r.addSitemap(value) // RFC 9309 2.2.4: not part of any group
			continue
		}
		if key == robotsKeyAgent {
			if inRules {
				current, inRules = nil, false
			}
			inGroup = true
			if g := r.robotsGroupFor(value); g != nil && !slices.Contains(current, g) {
				current = append(current, g)
			}
			continue
		}
		if !inGroup {
			continue // a rule before any user-agent line belongs to no group
		}
		inRules = true
		switch key {
		case robotsKeyAllow, robotsKeyDisallow:
			robotsAddRule(current, value, key == robotsKeyAllow)
		case robotsKeyDelay:
			d, ok := robotsParseDelay(value)
			for _, g := range current {
				if ok && !g.hasDelay {
					g.delay, g.hasDelay = d, true
				}
			}
		}
	}
	return r
}

// addSitemap records the value of a Sitemap line, once, up to
// robotsMaxMaps of them. Comments are already cut off; a value holding a
// space is not a URL and is dropped.
func (r *Robots) addSitemap(value string) {
	if value == "" || strings.ContainsAny(value, " \t") || len(r.sitemaps) >= robotsMaxMaps ||
		slices.Contains(r.sitemaps, value) {
		return
	}
	r.sitemaps = append(r.sitemaps, value)
}

// Sitemaps returns the values of the file's Sitemap lines, in order and
// without repeats: sitemap URLs as the file wrote them, to be resolved and
// checked by the caller. They apply to every crawler, whatever group they
// appear in (RFC 9309 section 2.2.4). A nil *Robots has none. The caller
// may modify the returned slice.
func (r *Robots) Sitemaps() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.sitemaps)
}

// robotsGroupFor returns the merged group for the agent named on a
// user-agent line, creating it. It returns nil for a value that names no
// valid product token: such a line still opens a group, but one that
// matches no crawler.
func (r *Robots) robotsGroupFor(value string) *robotsGroup {
	if robotsFirstField(value) == "*" {
		if r.star == nil {
			r.star = new(robotsGroup)
		}
		return r.star
	}
	token := RobotsProductToken(value)
	if token != "" && r.groups[token] == nil {
		r.groups[token] = new(robotsGroup)
	}
	return r.groups[token] // nil for ""
}

// robotsFirstField returns value up to its first space or tab.
func robotsFirstField(value string) string {
	if i := strings.IndexAny(value, " \t"); i >= 0 {
		return value[:i]
	}
	return value
}

// robotsAddRule adds an Allow or Disallow rule to every group in groups.
// An empty value matches nothing and is dropped. Like Google's matcher, an
// Allow for ".../index.htm[l]" also allows the directory itself (".../$"),
// since servers answer the directory with that file.
func robotsAddRule(groups []*robotsGroup, value string, allow bool) {
	if value == "" {
		return
	}
	pattern := robotsNormalize(value)
	rules := []robotsRule{{pattern: pattern, allow: allow}}
	if slash := strings.LastIndexByte(pattern, '/'); allow && slash >= 0 &&
		strings.HasPrefix(pattern[slash:], "/index.htm") {
		rules = append(rules, robotsRule{pattern: pattern[:slash+1] + "$", allow: true})
	}
	for _, g := range groups {
		g.rules = append(g.rules, rules...)
	}
}

// robotsParseDelay parses a Crawl-delay value in seconds, possibly
// fractional. Negative and non-numeric values are rejected; values above
// robotsMaxDelay are clamped.
func robotsParseDelay(value string) (time.Duration, bool) {
	secs, err := strconv.ParseFloat(robotsFirstField(value), 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
		return 0, false
	}
	if secs >= robotsMaxDelay.Seconds() {
		return robotsMaxDelay, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// robotsStripBOM removes a UTF-8 byte order mark, or the leading part of
// one, from the start of body.
func robotsStripBOM(body []byte) []byte {
	const bom = "\xEF\xBB\xBF"
	for i := 0; i < len(bom) && len(body) > 0 && body[0] == bom[i]; i++ {
		body = body[1:]
	}
	return body
}

// robotsNextLine splits the first line off body; a line ends at CR, LF or CRLF.
func robotsNextLine(body []byte) (line, rest []byte) {
	i := bytes.IndexAny(body, "\r\n")
	if i < 0 {
		return body, nil
	}
	line, rest = body[:i], body[i+1:]
	if body[i] == '\r' && len(rest) > 0 && rest[0] == '\n' {
		rest = rest[1:]
	}
	return line, rest
}

// robotsSplitLine splits a line into its key and trimmed value. ok is false
// for blank lines, comments and lines whose key is not understood.
func robotsSplitLine(line []byte) (key robotsKey, value string, ok bool) {
	if i := bytes.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return robotsKeyUnknown, "", false
	}
	// "Key: value", else (no colon after a known key) "Key value".
	for _, sep := range [...]string{":", " \t"} {
		if i := bytes.IndexAny(line, sep); i >= 0 {
			if key = robotsLookupKey(line[:i]); key != robotsKeyUnknown {
				return key, string(bytes.TrimSpace(line[i+1:])), true
			}
		}
	}
	return robotsKeyUnknown, "", false
}

// robotsLookupKey maps a line's key to its kind, ignoring case, spaces,
// dashes and underscores, and accepting common misspellings.
func robotsLookupKey(raw []byte) robotsKey {
	k := make([]byte, 0, len(raw))
	for _, c := range bytes.ToLower(raw) {
		if c != ' ' && c != '\t' && c != '-' && c != '_' {
			k = append(k, c)
		}
	}
	switch string(k) {
	case "useragent":
		return robotsKeyAgent
	case "allow":
		return robotsKeyAllow
	case "disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw":
		return robotsKeyDisallow
	case "crawldelay":
		return robotsKeyDelay
	case "sitemap", "sitemaps":
		return robotsKeySitemap
	}
	return robotsKeyUnknown
}

// RobotsProductToken extracts the product token from a User-Agent string,
// as robots.txt groups name crawlers: the leading run of letters, digits,
// '-' and '_', lowercased. "imgcrawl/1.2 (+https://example.com/bot)" gives
// "imgcrawl". It returns "" when the string does not start with a token.
func RobotsProductToken(userAgent string) string {
	s := strings.TrimLeft(userAgent, " \t")
	end := 0
	for end < len(s) && robotsTokenByte(s[end]) {
		end++
	}
	return strings.ToLower(s[:end])
}

// robotsTokenByte reports whether c may appear in a product token.
func robotsTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// group returns the merged group that applies to agent: the one naming its
// product token, else the "*" group, else nil.
func (r *Robots) group(agent string) *robotsGroup {
	if r == nil {
		return nil
	}
	if g, ok := r.groups[strings.ToLower(agent)]; ok {
		return g
	}
	return r.star
}

// Allowed reports whether the crawler with product token agent (e.g.
// "imgcrawl", see RobotsProductToken; any case) may fetch target: the URL's
// escaped path plus "?query" if any, as url.URL.RequestURI returns. The
// longest matching rule decides, Allow winning a tie; "/robots.txt" is always
// allowed. Escaped unreserved characters equal the characters, hex case in
// other escapes is ignored and non-ASCII bytes equal their escapes.
func (r *Robots) Allowed(agent, target string) bool {
	g := r.group(agent)
	if g == nil || len(g.rules) == 0 {
		return true
	}
	if target == "" {
		target = "/"
	}
	path := robotsNormalize(target)
	if p, _, _ := strings.Cut(path, "?"); p == "/robots.txt" {
		return true
	}
	best, allowed := -1, true
	for _, rule := range g.rules {
		n := len(rule.pattern)
		if n < best || n == best && (allowed || !rule.allow) {
			continue // cannot change the outcome
		}
		if robotsMatch(rule.pattern, path) {
			best, allowed = n, rule.allow
		}
	}
	return allowed
}

// CrawlDelay returns the Crawl-delay (a non-standard extension, in seconds,
// possibly fractional) of the group that applies to agent, and whether that
// group sets one. When several merged groups set it, the first one wins.
func (r *Robots) CrawlDelay(agent string) (time.Duration, bool) {
	if g := r.group(agent); g != nil {
		return g.delay, g.hasDelay
	}
	return 0, false
}

// robotsMatch reports whether the normalized pattern matches the normalized
// path. Patterns are anchored at the start; '*' matches any run of bytes and
// a final '$' anchors the end.
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		if anchored {
			return path == pattern
		}
		return strings.HasPrefix(path, pattern)
	}
	if !strings.HasPrefix(path, pattern[:star]) {
		return false
	}
	path, pattern = path[star:], pattern[star+1:]
	// Place each middle literal at its leftmost position: that leaves the
	// most room for the rest, so no backtracking is needed.
	for {
		star = strings.IndexByte(pattern, '*')
		if star < 0 {
			break
		}
		i := strings.Index(path, pattern[:star])
		if i < 0 {
			return false
		}
		path, pattern = path[i+star:], pattern[star+1:]
	}
	if anchored {
		return strings.HasSuffix(path, pattern)
	}
	return strings.Contains(path, pattern)
}

// robotsNormalize brings a rule pattern or a target into the canonical form
// compared by robotsMatch: escapes of unreserved characters (RFC 3986
// ALPHA / DIGIT / "-" / "." / "_" / "~") are decoded, other escapes get
// uppercase hex, and bytes that cannot appear raw in a URL (controls, space,
// DEL, non-ASCII, a '%' that starts no escape) are escaped.
func robotsNormalize(s string) string {
	i := 0
	for i < len(s) && s[i] != '%' && s[i] > ' ' && s[i] < 0x7F {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s):
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			switch {
			case err != nil:
				robotsWriteEscape(&b, c) // a '%' that starts no escape
				continue
			case robotsUnreserved(byte(v)):
				b.WriteByte(byte(v))
			default:
				robotsWriteEscape(&b, byte(v))
			}
			i += 2
		case c == '%' || c <= ' ' || c >= 0x7F:
			robotsWriteEscape(&b, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func robotsWriteEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.Write([]byte{'%', hex[c>>4], hex[c&15]})
}

// robotsUnreserved reports whether c is an RFC 3986 unreserved character.
func robotsUnreserved(c byte) bool {
	return robotsTokenByte(c) || c == '.' || c == '~'
}
