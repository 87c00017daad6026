// Command testsite serves the synthetic test site of package testsite on a
// loopback port, for benchmarks and manual runs.
//
// It prints exactly one line, "listening http://HOST:PORT", to stdout and
// serves until SIGINT or SIGTERM. With -expect-out it instead writes the
// SHA-256 (hex) of every image a correct crawl saves, one per line, and
// exits.
//
// Usage:
//
//	testsite [-addr 127.0.0.1:0] [-pages 60] [-links 4] [-images 4]
//	         [-distinct N] [-image-bytes 4096] [-seed 1] [-latency 0s]
//	         [-features=true] [-large-image-bytes N] [-request-log FILE]
//	testsite [site flags] -expect-depth N -expect-out FILE
//	testsite -scripted [-addr 127.0.0.1:0] [-request-log FILE]
//
// -scripted serves testsite.Scripted instead: pages whose images only
// scripts make (for --render).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "testsite:", err)
		os.Exit(2)
	}
}

// config is what the flags set.
type config struct {
	addr        string
	opt         testsite.Options
	largeBytes  int64
	requestLog  string
	expectDepth int
	expectOut   string
	scripted    bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	def := testsite.DefaultOptions()
	var c config
	fs := flag.NewFlagSet("testsite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "address to listen on")
	fs.IntVar(&c.opt.Pages, "pages", def.Pages, "numbered HTML pages")
	fs.IntVar(&c.opt.LinksPerPage, "links", def.LinksPerPage, "random links per page (<0: none)")
	fs.IntVar(&c.opt.ImagesPerPage, "images", def.ImagesPerPage, "image references per page (<0: none)")
	fs.IntVar(&c.opt.DistinctImages, "distinct", 0, "distinct generic images (0: pages*images/3)")
	fs.IntVar(&c.opt.ImageBytes, "image-bytes", def.ImageBytes, "approximate size of each image")
	fs.Int64Var(&c.opt.Seed, "seed", def.Seed, "PRNG seed")
	fs.DurationVar(&c.opt.Latency, "latency", 0, "delay added to every response")
	fs.BoolVar(&c.opt.Features, "features", true, "include the hostile and reference-form features")
	fs.Int64Var(&c.largeBytes, "large-image-bytes", 0, "if >0, also serve "+testsite.LargeImagePath+
		": a PNG header followed by this many bytes")
	fs.StringVar(&c.requestLog, "request-log", "", "append a line per request to this file: method, normalized target, Range (tab-separated, - if none)")
	fs.IntVar(&c.expectDepth, "expect-depth", -1, "depth limit for -expect-out (<0: none)")
	fs.StringVar(&c.expectOut, "expect-out", "", "write the expected image SHA-256s to this file and exit")
	fs.BoolVar(&c.scripted, "scripted", false, "serve the scripted site (images made by scripts) instead")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

// run serves the site until ctx ends, or writes the expected hashes.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	site := testsite.New(c.opt)
	if c.expectOut != "" {
		return writeExpected(site, c.expectDepth, c.expectOut)
	}
	var h http.Handler = site
	if c.scripted {
		h = &testsite.Scripted{}
	}
	if c.largeBytes > 0 {
		h = routeLarge(testsite.NewLargeImage(c.largeBytes), site)
	}
	if c.requestLog != "" {
		f, err := os.OpenFile(c.requestLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("request log: %w", err)
		}
		defer f.Close()
		h = logRequests(h, f)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base, stop := testsite.Serve(ln, h)
	defer stop()
	if _, err := fmt.Fprintln(stdout, "listening", base); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// routeLarge sends the large image's path to large and the rest to site.
func routeLarge(large, site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == testsite.LargeImagePath {
			large.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}

// logRequests writes "METHOD\tTARGET\tRANGE\n" to w for every request
// before serving it.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rng := r.Header.Get("Range")
		if rng == "" {
			rng = "-"
		}
		line := r.Method + "\t" + testsite.NormalizeTarget(r.URL.RequestURI()) + "\t" +
			strings.NewReplacer("\t", " ", "\n", " ").Replace(rng) + "\n"
		mu.Lock()
		io.WriteString(w, line) //nolint:errcheck // a lost log line must not fail the request
		mu.Unlock()
		h.ServeHTTP(rw, r)
	})
}

func writeExpected(site *testsite.Site, depth int, path string) error {
	var b strings.Builder
	for _, e := range site.Expected(depth) {
		b.WriteString(e.SHA256)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("expect-out: %w", err)
	}
	return nil
}
