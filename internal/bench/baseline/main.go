// Command baseline is the reference downloader of the end-to-end benchmark
// suite (internal/bench): it fetches a fixed list of URLs with a fixed number
// of requests in flight and streams every body to a file, with no parsing,
// no deduplication and no bookkeeping. Its wall time is the practical
// ceiling a crawler can reach on the same machine for the same requests.
//
// Usage:
//
//	baseline -i URLS -o DIR [-c 8] [-parse] [-trusted]
//
// URLS holds one absolute URL per line (blank lines are skipped); they are
// fetched in order by -c goroutines over one http.Client. Body i goes to
// DIR/<i>. On exit it prints one line to stderr:
//
//	baseline: urls=N bytes=B errors=E refs=R elapsed=D
//
// and exits 1 if any request failed or answered something other than 200.
//
// With -parse, a text/html response is read whole into memory, written to
// its file, parsed with goquery, and the links and image attributes it
// holds (see refSelector) are resolved against the page URL; R counts
// them. Nothing found is fetched: the list stays fixed. Other bodies are
// streamed as without -parse. This is the ceiling for a crawler that must
// at least parse its pages (R is 0 without -parse).
//
// With -trusted, every body that is not parsed as a page is saved as the
// crawler's store saves an image: hashed with SHA-256 as it streams into an
// unnamed file, which is linked under its name once whole (O_TMPFILE and
// linkat on Linux; a temporary file and a rename elsewhere). No partial file
// ever has a name. This is the ceiling for a downloader that keeps that
// promise and knows each file's content hash; it keeps no record of either.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func main() {
	list := flag.String("i", "", "file of URLs, one per line")
	out := flag.String("o", "", "output folder (created if missing)")
	conc := flag.Int("c", 8, "requests in flight")
	parse := flag.Bool("parse", false, "parse HTML pages and resolve their links and image URLs (fetching none)")
	trusted := flag.Bool("trusted", false, "hash every other body and link it under its name only once whole")
	flag.Parse()
	if *list == "" || *out == "" || *conc <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: baseline -i URLS -o DIR [-c N] [-parse] [-trusted]")
		os.Exit(2)
	}
	urls, err := readList(*list)
	if err != nil {
		fmt.Fprintf(os.Stderr, "baseline: %v\n", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "baseline: %v\n", err)
		os.Exit(1)
	}
	start := time.Now()
	st := download(context.Background(), newClient(*conc), urls, *out, *conc, mode{parse: *parse, trusted: *trusted})
	fmt.Fprintf(os.Stderr, "baseline: urls=%d bytes=%d errors=%d refs=%d elapsed=%s\n",
		len(urls), st.bytes, st.failed, st.refs, time.Since(start).Round(time.Millisecond))
	if st.failed > 0 {
		os.Exit(1)
	}
}

// readList reads the non-blank lines of path.
func readList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var urls []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			urls = append(urls, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return urls, nil
}

// newClient returns a client that keeps up to conc connections per host
// alive, like a crawler with conc requests in flight to one host would.
func newClient(conc int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conc * 2,
		MaxIdleConnsPerHost: conc,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr}
}

// stats is what a download did.
type stats struct {
	bytes  int64 // body bytes written
	refs   int64 // references resolved in HTML pages (-parse)
	failed int64 // requests that failed
}

// mode is what the baseline does beyond fetching and writing: -parse and
// -trusted.
type mode struct{ parse, trusted bool }

// download fetches urls with conc workers in mode m. The first few failures
// are printed to stderr.
func download(ctx context.Context, client *http.Client, urls []string, dir string, conc int, m mode) stats {
	var total, refs, failed atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(urls) {
					return
				}
				n, r, err := fetchOne(ctx, client, urls[i], dir, strconv.Itoa(i), m)
				total.Add(n)
				refs.Add(int64(r))
				if err != nil {
					if failed.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "baseline: %s: %v\n", urls[i], err)
					}
				}
			}
		})
	}
	wg.Wait()
	return stats{bytes: total.Load(), refs: refs.Load(), failed: failed.Load()}
}

// fetchOne writes the body of one GET to a new file named name in dir and
// returns its size and, with m.parse and an HTML body, the number of
// references the page holds.
func fetchOne(ctx context.Context, client *http.Client, url, dir, name string, m mode) (int64, int, error) {
	path := filepath.Join(dir, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) //nolint:errcheck // draining for reuse only
		return 0, 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	if m.parse && isHTML(resp.Header.Get("Content-Type")) {
		return fetchPage(resp, path)
	}
	var n int64
	if m.trusted {
		h := sha256.New()
		n, err = createTrusted(dir, path, io.TeeReader(resp.Body, h))
		_ = h.Sum(nil)
	} else {
		n, err = create(path, resp.Body)
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = errors.New("short body")
	}
	return n, 0, err
}

// create writes r to a new file at path.
func create(path string, r io.Reader) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// fetchPage reads an HTML body whole, writes it to path and counts the
// references in it.
func fetchPage(resp *http.Response, path string) (int64, int, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = errors.New("short body")
	}
	if err != nil {
		return n, 0, err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return n, 0, err
	}
	refs, err := pageRefs(&buf, resp.Request.URL)
	return n, len(refs), err
}

// isHTML reports whether a Content-Type header names text/html.
func isHTML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "text/html"
}

// refSelector is the one selection -parse makes: the links and image
// attributes a crawler of images follows.
const refSelector = "a[href], link[href], img[src], img[srcset], source[srcset]"

// pageRefs parses the HTML in r and returns every reference of the
// elements refSelector matches, resolved against page: href of a and link,
// src and each srcset candidate of img, each srcset candidate of source.
// Empty and unparsable values are skipped; nothing is deduplicated.
func pageRefs(r io.Reader, page *url.URL) ([]string, error) {
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return nil, err
	}
	var refs []string
	add := func(ref string) {
		if ref = strings.TrimSpace(ref); ref == "" {
			return
		}
		if u, err := url.Parse(ref); err == nil {
			refs = append(refs, page.ResolveReference(u).String())
		}
	}
	doc.Find(refSelector).Each(func(_ int, s *goquery.Selection) {
		switch goquery.NodeName(s) {
		case "a", "link":
			add(s.AttrOr("href", ""))
		case "img":
			add(s.AttrOr("src", ""))
			fallthrough
		case "source":
			for cand := range strings.SplitSeq(s.AttrOr("srcset", ""), ",") {
				if fields := strings.Fields(cand); len(fields) > 0 {
					add(fields[0])
				}
			}
		}
	})
	return refs, nil
}
