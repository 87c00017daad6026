package s3_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/s3test"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestCrawlIntoABucket crawls the test site with the S3 sink: the bucket
// ends with exactly the site's images, under the paths the events report,
// and nothing is saved under Out but the crawl's private files.
func TestCrawlIntoABucket(t *testing.T) {
	srv := s3test.Start(t, bucket)
	sink := newSink(t, srv, "crawl/")
	opt := testsite.DefaultOptions()
	opt.Pages = 30
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	paths := map[string]string{} // path -> sha256, from the events (one goroutine)
	c, err := crawler.New(crawler.Config{Seeds: []string{base + "/"}, Out: out, Sink: sink, Concurrency: 4,
		OnEvent: func(ev crawler.Event) {
			if ev.Kind == crawler.KindImage && ev.Status == crawler.Saved {
				paths[ev.Path] = ev.SHA256
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, e := range site.Expected(crawler.DefaultDepth) {
		want[e.SHA256] = true
	}
	ctx := context.Background()
	got := map[string]bool{}
	for o := range sink.Client().ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "crawl/", Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		r, err := sink.Client().GetObject(ctx, bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		sha := hex.EncodeToString(h.Sum(nil))
		if got[sha] {
			t.Errorf("content %s stored twice (again at %s)", sha[:12], o.Key)
		}
		got[sha] = true
		if !want[sha] {
			t.Errorf("unexpected object %s", o.Key)
		}
		if paths[o.Key[len("crawl/"):]] != sha {
			t.Errorf("object %s is not what its event reported", o.Key)
		}
	}
	if len(got) != len(want) || int(sum.Images) != len(want) {
		t.Errorf("bucket holds %d images, summary %d, want %d", len(got), sum.Images, len(want))
	}
	if files, err := testsite.SavedImages(out); err != nil || len(files) != 0 {
		t.Errorf("images under Out: %d (%v)", len(files), err)
	}
}
