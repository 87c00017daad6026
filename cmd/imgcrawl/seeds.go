package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

var errNoImages = errors.New("no image URLs: give URLs as arguments, with --input, or on stdin")

// openInput opens an --input value: "-" is stdin.
func openInput(name string, e *env) (io.Reader, string, func(), error) {
	if name == "-" {
		return e.stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, "", nil, usageError{fmt.Errorf("--input: %w", err)}
	}
	return f, name, func() { f.Close() }, nil
}

// urlChecker checks the URLs of a seed or image list, from arguments or a
// file, as they are read.
type urlChecker struct {
	e       *env
	guessed bool // a URL without a scheme was tried as http:// (said once)
}

// check returns the URL to use for s, found at where ("argument 2",
// "seeds.txt:3"), or false when s is not one: that is reported on stderr.
// A URL typed without its scheme ("example.com", "127.0.0.1:8900/") is
// tried as http://, which is said for the first one only.
func (c *urlChecker) check(s, where string) (string, bool) {
	_, err := urlnorm.Normalize(s)
	if err == nil {
		return s, true
	}
	if u, ok := urlnorm.GuessScheme(s); ok {
		if !c.guessed {
			c.guessed = true
			fmt.Fprintf(c.e.stderr, "imgcrawl: no scheme in %q: trying %s\n", s, u)
		}
		return u.String(), true
	}
	fmt.Fprintf(c.e.stderr, "imgcrawl: %s: skipped %q: not an http(s) URL (%v)\n", where, s, err)
	return "", false
}

// scanURLs calls fn for every URL line of r, reporting bad lines on stderr
// with their line number.
func (c *urlChecker) scanURLs(r io.Reader, name string, fn func(string) bool) error {
	err := listLines(r, func(line int, s string) bool {
		s, ok := c.check(s, fmt.Sprintf("%s:%d", name, line))
		return !ok || fn(s)
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// listLines calls fn for every line of a URL list but blank lines and #
// comments, trimmed, with its line number, until fn returns false.
func listLines(r io.Reader, fn func(line int, s string) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if !fn(line, s) {
			return nil
		}
	}
	return sc.Err()
}

// listLength counts the URLs a get reads from args and an --input file, as
// check accepts them, for the progress display to say what is left; 0 when
// the list comes from stdin (its length is known only at its end) or the
// file cannot be read.
func listLength(args []string, input string) int64 {
	if input == "-" {
		return 0
	}
	n := int64(0)
	usable := func(s string) bool {
		if _, err := urlnorm.Normalize(s); err == nil {
			return true
		}
		_, ok := urlnorm.GuessScheme(s)
		return ok
	}
	for _, a := range args {
		if usable(a) {
			n++
		}
	}
	if input == "" {
		return n
	}
	f, err := os.Open(input)
	if err != nil {
		return 0
	}
	defer f.Close()
	err = listLines(f, func(_ int, s string) bool {
		if usable(s) {
			n++
		}
		return true
	})
	if err != nil {
		return 0
	}
	return n
}

// readSeeds gathers seed URLs from arguments and an input file.
func readSeeds(args []string, input string, e *env) ([]string, error) {
	var seeds []string
	c := &urlChecker{e: e}
	for i, a := range args {
		if s, ok := c.check(a, fmt.Sprintf("argument %d", i+1)); ok {
			seeds = append(seeds, s)
		}
	}
	if input != "" {
		r, name, done, err := openInput(input, e)
		if err != nil {
			return nil, err
		}
		defer done()
		if err := c.scanURLs(r, name, func(s string) bool { seeds = append(seeds, s); return true }); err != nil {
			return nil, err
		}
	}
	return seeds, nil
}

// streamLines sends the URLs of args and input on a channel as they are
// read, so a list of any length streams. stop ends the reader early.
func streamLines(args []string, input string, e *env) (<-chan string, func(), error) {
	var r io.Reader
	name, done := "", func() {}
	if input != "" {
		var err error
		if r, name, done, err = openInput(input, e); err != nil {
			return nil, nil, err
		}
	}
	ch := make(chan string, 256)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(ch)
		defer done()
		send := func(s string) bool {
			select {
			case ch <- s:
				return true
			case <-quit:
				return false
			}
		}
		c := &urlChecker{e: e}
		for i, a := range args {
			s, ok := c.check(a, fmt.Sprintf("argument %d", i+1))
			if ok && !send(s) {
				return
			}
		}
		if r != nil {
			if err := c.scanURLs(r, name, send); err != nil {
				fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
			}
		}
	}()
	stop := func() {
		close(quit)
		if input != "-" {
			<-finished
		}
	}
	return ch, stop, nil
}
