// Command baseline is the reference downloader of the end-to-end benchmark
// suite (internal/bench): it fetches a fixed list of URLs with a fixed number
// of requests in flight and streams every body to a file, with no parsing,
// no deduplication and no bookkeeping. Its wall time is the practical
// ceiling a crawler can reach on the same machine for the same requests.
//
// Usage:
//
//	baseline -i URLS -o DIR [-c 8]
//
// URLS holds one absolute URL per line (blank lines are skipped); they are
// fetched in order by -c goroutines over one http.Client. Body i goes to
// DIR/<i>. On exit it prints one line to stderr:
//
//	baseline: urls=N bytes=B errors=E elapsed=D
//
// and exits 1 if any request failed or answered something other than 200.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	list := flag.String("i", "", "file of URLs, one per line")
	out := flag.String("o", "", "output folder (created if missing)")
	conc := flag.Int("c", 8, "requests in flight")
	flag.Parse()
	if *list == "" || *out == "" || *conc <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: baseline -i URLS -o DIR [-c N]")
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
	bytes, failed := download(context.Background(), newClient(*conc), urls, *out, *conc)
	fmt.Fprintf(os.Stderr, "baseline: urls=%d bytes=%d errors=%d elapsed=%s\n",
		len(urls), bytes, failed, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
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

// download fetches urls with conc workers and returns the bytes written and
// the number of failures. The first few failures are printed to stderr.
func download(ctx context.Context, client *http.Client, urls []string, dir string, conc int) (int64, int64) {
	var total, failed atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(urls) {
					return
				}
				n, err := fetchOne(ctx, client, urls[i], filepath.Join(dir, strconv.Itoa(i)))
				total.Add(n)
				if err != nil {
					if failed.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "baseline: %s: %v\n", urls[i], err)
					}
				}
			}
		})
	}
	wg.Wait()
	return total.Load(), failed.Load()
}

// fetchOne streams the body of one GET to a new file at path.
func fetchOne(ctx context.Context, client *http.Client, url, path string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) //nolint:errcheck // draining for reuse only
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = errors.New("short body")
	}
	return n, err
}
