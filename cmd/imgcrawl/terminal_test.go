package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

func TestTerminalMessageDoesNotTearTheBar(t *testing.T) {
	var out bytes.Buffer
	term := newTerminal(&out, true)
	bar := term.progress()
	io.WriteString(term, "before the bar\n")
	io.WriteString(bar, "\r|  pages 1  ")
	io.WriteString(bar, "\r          \r")
	io.WriteString(bar, "\r/  pages 2  ")
	io.WriteString(term, "imgcrawl: warning\n")
	io.WriteString(bar, "\r-  pages 3  ")
	io.WriteString(bar, "\n")
	io.WriteString(term, "done\n")
	want := "before the bar\n\r|  pages 1  \r          \r\r/  pages 2  " +
		clearLine + "imgcrawl: warning\n\r/  pages 2  " + "\r-  pages 3  \n" + "done\n"
	if got := out.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	out.Reset()
	plain := newTerminal(&out, false)
	io.WriteString(plain.progress(), "progress: pages 1\n")
	io.WriteString(plain, "imgcrawl: warning\n")
	if got := out.String(); got != "progress: pages 1\nimgcrawl: warning\n" {
		t.Errorf("not a terminal: %q", got)
	}
}

// syncBuffer is a bytes.Buffer safe for a goroutine of the run and the
// test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMessagesDuringALiveBar: a bad line of a list read while the bar is
// drawn starts on a line of its own.
func TestMessagesDuringALiveBar(t *testing.T) {
	opt := testsite.DefaultOptions()
	opt.Latency = 20 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	var urls []string
	for _, im := range site.ImageList() {
		if !im.Disallowed {
			urls = append(urls, base+im.Path)
		}
	}
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"get", "-c", "2", "--state", "none", "-o", t.TempDir(), "-i", "-"},
			env{stdin: pr, stdout: io.Discard, stderr: &stderr, stderrTTY: true})
	}()
	fmt.Fprintln(pw, urls[0])
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), "\r"); {
		if time.Now().After(deadline) {
			t.Fatalf("no bar drawn:\n%q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintln(pw, "not a url")
	for _, u := range urls[1:] {
		fmt.Fprintln(pw, u)
	}
	pw.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	out := stderr.String()
	i := strings.Index(out, "imgcrawl: stdin:2: skipped")
	if i < 0 {
		t.Fatalf("bad line not reported:\n%q", out)
	}
	if before := out[:i]; !strings.HasSuffix(before, "\n") && !strings.HasSuffix(before, clearLine) {
		t.Errorf("message written onto the bar's line:\n%q", out[max(0, i-80):i+40])
	}
}
