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

// scanURLs calls fn for every URL line of r, reporting bad lines on stderr
// with their line number. Blank lines and # comments are skipped.
func scanURLs(r io.Reader, name string, e *env, fn func(string) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if _, err := urlnorm.Normalize(s); err != nil {
			fmt.Fprintf(e.stderr, "imgcrawl: %s:%d: skipped %q: not an http(s) URL (%v)\n", name, line, s, err)
			continue
		}
		if !fn(s) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// readSeeds gathers seed URLs from arguments and an input file.
func readSeeds(args []string, input string, e *env) ([]string, error) {
	var seeds []string
	for i, a := range args {
		if _, err := urlnorm.Normalize(a); err != nil {
			fmt.Fprintf(e.stderr, "imgcrawl: argument %d: skipped %q: not an http(s) URL (%v)\n", i+1, a, err)
			continue
		}
		seeds = append(seeds, a)
	}
	if input != "" {
		r, name, done, err := openInput(input, e)
		if err != nil {
			return nil, err
		}
		defer done()
		if err := scanURLs(r, name, e, func(s string) bool { seeds = append(seeds, s); return true }); err != nil {
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
		for i, a := range args {
			if _, err := urlnorm.Normalize(a); err != nil {
				fmt.Fprintf(e.stderr, "imgcrawl: argument %d: skipped %q: not an http(s) URL (%v)\n", i+1, a, err)
				continue
			}
			if !send(a) {
				return
			}
		}
		if r != nil {
			if err := scanURLs(r, name, e, send); err != nil {
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
