package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

func TestGetDownloadsAListOnce(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	var list []string
	want := map[string]bool{}
	for _, im := range site.ImageList() {
		if im.Disallowed {
			continue
		}
		list = append(list, base+im.Path, base+im.Path) // every URL twice
		if im.SHA256 != "" {
			want[im.SHA256] = true
		}
	}
	list = append(list, base+"/no/such.png")
	urls := make(chan string)
	go func() {
		defer close(urls)
		for _, u := range list {
			urls <- u
		}
	}()
	out := t.TempDir()
	c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Images: urls, Out: out, Layout: store.LayoutFlat, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for path, sha := range savedFiles(t, out) {
		if got[sha] {
			t.Errorf("content of %s saved twice", path)
		}
		got[sha] = true
		if strings.Contains(path, "/") {
			t.Errorf("flat layout wrote %s", path)
		}
	}
	for sha := range want {
		if !got[sha] {
			t.Errorf("image %s missing", sha[:12])
		}
	}
	if sum.Failed != 1 {
		t.Errorf("failed = %d, want 1 (the 404)", sum.Failed)
	}
	for target, n := range site.Requests() {
		if n > 1 {
			t.Errorf("%s requested %d times", target, n)
		}
	}
}

// bigPNG returns a valid PNG of at least n bytes (noise does not compress).
func bigPNG(t *testing.T, n int) []byte {
	t.Helper()
	side := 16
	for side*side*4 < n {
		side *= 2
	}
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	x := uint32(1)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
	}
	img.Set(0, 0, color.NRGBA{1, 2, 3, 255})
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rangeServer serves one big image; the first full response stalls after
// cut bytes. honourRange=false answers every request with the whole file.
type rangeServer struct {
	data        []byte
	cut         int
	honourRange bool
	mu          sync.Mutex
	ranges      []string
	stalled     chan struct{}
	once        sync.Once
}

func (s *rangeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	first := len(s.ranges) == 1
	s.mu.Unlock()
	w.Header().Set("ETag", `"v1"`)
	w.Header().Set("Content-Type", "image/png")
	if first {
		w.Header().Set("Content-Length", strconv.Itoa(len(s.data)))
		w.Write(s.data[:s.cut])
		w.(http.Flusher).Flush()
		s.once.Do(func() { close(s.stalled) })
		<-r.Context().Done()
		return
	}
	if !s.honourRange {
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, "big.png", time.Unix(1700000000, 0), bytes.NewReader(s.data))
}

func TestInterruptedLargeDownloadResumes(t *testing.T) {
	for _, honour := range []bool{true, false} {
		name := "range honoured"
		if !honour {
			name = "range ignored"
		}
		t.Run(name, func(t *testing.T) {
			data := bigPNG(t, 3<<20)
			srv := &rangeServer{data: data, cut: 1 << 20, honourRange: honour, stalled: make(chan struct{})}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			out := t.TempDir()
			get := func(ctx context.Context) (Summary, error) {
				urls := make(chan string, 1)
				urls <- ts.URL + "/big.png"
				close(urls)
				c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Images: urls, Out: out, Layout: store.LayoutFlat, ResumeAbove: 1 << 20,
					State: state.NewMemory(), Manifest: "-"})
				if err != nil {
					t.Fatal(err)
				}
				return c.Run(ctx)
			}
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-srv.stalled; time.Sleep(100 * time.Millisecond); cancel() }()
			if _, err := get(ctx); err == nil {
				t.Fatal("first run was not interrupted")
			}
			if files := savedFiles(t, out); len(files) != 0 {
				t.Fatalf("a file under a final name after the interruption: %v", files)
			}
			if _, err := get(context.Background()); err != nil {
				t.Fatal(err)
			}
			files := savedFiles(t, out)
			want := sha256.Sum256(data)
			if len(files) != 1 || files["big.png"] != hex.EncodeToString(want[:]) {
				t.Fatalf("files after resume = %v, want big.png with the full content", files)
			}
			srv.mu.Lock()
			ranges := append([]string(nil), srv.ranges...)
			srv.mu.Unlock()
			if len(ranges) != 2 || !strings.HasPrefix(ranges[1], "bytes=") || ranges[1] == "bytes=0-" {
				t.Errorf("requests' Range headers = %q, want the second to resume", ranges)
			}
			left, _ := filepath.Glob(filepath.Join(out, store.PrivateDir, "partial", "*"))
			if len(left) != 0 {
				t.Errorf("partial files left: %v", left)
			}
		})
	}
}
