package fetch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// cookieMaxLine bounds one line of a cookie file.
const cookieMaxLine = 1 << 20

// cookieEntry is one line of a Netscape cookie file.
type cookieEntry struct {
	domain     string // without the leading dot
	subdomains bool   // the "include subdomains" flag
	path       string
	secure     bool
	expires    time.Time // zero: session cookie
	name       string
	value      string
	httpOnly   bool
}

// cookieParseNetscape reads the Netscape cookie file format used by curl,
// wget and browser exports: one cookie per line, seven tab-separated fields
// (domain, include-subdomains TRUE/FALSE, path, secure TRUE/FALSE, expiry in
// Unix seconds with 0 for a session cookie, name, value). Blank lines and
// lines starting with "#" are skipped, except that a "#HttpOnly_" prefix on
// the domain marks an HttpOnly cookie. A line with six fields has an empty
// value. Malformed lines are errors naming the line number.
func cookieParseNetscape(r io.Reader) ([]cookieEntry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), cookieMaxLine)
	var out []cookieEntry
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		httpOnly := false
		if rest, ok := strings.CutPrefix(line, "#HttpOnly_"); ok {
			line, httpOnly = rest, true
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := cookieParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		e.httpOnly = httpOnly
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func cookieParseLine(line string) (cookieEntry, error) {
	f := strings.Split(line, "\t")
	switch len(f) {
	case 6:
		f = append(f, "")
	case 7:
	default:
		return cookieEntry{}, fmt.Errorf("%d tab-separated fields, want 7", len(f))
	}
	var e cookieEntry
	var err error
	e.domain = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(f[0]), "."))
	if e.domain == "" {
		return e, errors.New("empty domain")
	}
	if e.subdomains, err = cookieParseBool("include-subdomains", f[1]); err != nil {
		return e, err
	}
	e.path = f[2]
	if e.path == "" || e.path[0] != '/' {
		e.path = "/"
	}
	if e.secure, err = cookieParseBool("secure", f[3]); err != nil {
		return e, err
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(f[4]), 10, 64)
	if err != nil || secs < 0 {
		return e, fmt.Errorf("bad expiry %q", f[4])
	}
	if secs > 0 {
		e.expires = time.Unix(secs, 0)
	}
	e.name, e.value = f[5], f[6]
	if e.name == "" {
		return e, errors.New("empty cookie name")
	}
	return e, nil
}

func cookieParseBool(field, s string) (bool, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("%s flag %q is not TRUE or FALSE", field, s)
}

// cookieLoadFile parses the Netscape cookie file at path and stores its
// unexpired cookies in jar.
func cookieLoadFile(jar http.CookieJar, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fetch: cookie file: %w", err)
	}
	defer f.Close()
	entries, err := cookieParseNetscape(f)
	if err != nil {
		return fmt.Errorf("fetch: cookie file %s: %w", path, err)
	}
	cookieFill(jar, entries, time.Now())
	return nil
}

// cookieFill stores entries in jar, skipping those expired at now.
func cookieFill(jar http.CookieJar, entries []cookieEntry, now time.Time) {
	for _, e := range entries {
		if !e.expires.IsZero() && !e.expires.After(now) {
			continue
		}
		scheme := "http"
		if e.secure {
			scheme = "https"
		}
		c := &http.Cookie{
			Name:     e.name,
			Value:    e.value,
			Path:     e.path,
			Secure:   e.secure,
			HttpOnly: e.httpOnly,
			Expires:  e.expires,
		}
		if e.subdomains {
			c.Domain = e.domain
		}
		host := e.domain
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			host = "[" + host + "]" // an IPv6 address
		}
		jar.SetCookies(&url.URL{Scheme: scheme, Host: host, Path: e.path}, []*http.Cookie{c})
	}
}
