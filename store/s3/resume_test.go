package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/s3test"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/s3"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

// crawlChildEnv makes the test binary crawl into a bucket ("endpoint seed
// out"), as the process the kill test kills.
const crawlChildEnv = "IMGCRAWL_S3_CRAWL_CHILD"

// crawlIntoBucket crawls seed three links deep into the bucket, with its
// state in out, as the CLI keeps it (a bbolt file).
func crawlIntoBucket(endpoint, seed, out string) (crawler.Summary, error) {
	st, err := bolt.Open(store.StatePath(out), bolt.Options{})
	if err != nil {
		return crawler.Summary{}, err
	}
	defer st.Close()
	sink, err := s3.New(s3.Config{Endpoint: endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey,
		Bucket: bucket})
	if err != nil {
		return crawler.Summary{}, err
	}
	c, err := crawler.New(crawler.Config{Seeds: []string{seed}, Depth: 3, Out: out, State: st, Sink: sink,
		Concurrency: 2, Layout: store.LayoutFlat})
	if err != nil {
		return crawler.Summary{}, err
	}
	return c.Run(context.Background())
}

func crawlChild() int {
	var endpoint, seed, out string
	if _, err := fmt.Sscan(os.Getenv(crawlChildEnv), &endpoint, &seed, &out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if _, err := crawlIntoBucket(endpoint, seed, out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// bucketShas returns the SHA-256 of each object in the bucket, by key.
func bucketShas(t *testing.T, c *minio.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	shas := map[string]string{}
	for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		r, err := c.GetObject(ctx, bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		shas[o.Key] = hex.EncodeToString(h.Sum(nil))
	}
	return shas
}

// holdsObject reports whether the bucket folder of the posix back end holds
// a file.
func holdsObject(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// TestKill9AndResumeIntoABucket is the CLI's kill -9 test with the S3 sink:
// a crawl into a bucket is killed at a random moment; every object then in
// the bucket is a complete image of the site; the crawl resumed from its
// state ends with each of the site's images in the bucket exactly once.
func TestKill9AndResumeIntoABucket(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	opt := testsite.DefaultOptions()
	opt.Latency = 15 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	want := map[string]bool{}
	for _, e := range site.Expected(3) {
		want[e.SHA256] = true
	}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			srv := s3test.Start(t, bucket)
			sink := newSink(t, srv, "")
			out := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %s", crawlChildEnv, srv.Endpoint, base+"/", out))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Kill it at a random moment once it has put its first image
			// (a busy machine may take long to start it).
			waitFor(t, func() bool { return holdsObject(filepath.Join(srv.Dir, bucket)) }, done, &stderr)
			rng := rand.New(rand.NewPCG(seed, 42))
			time.Sleep(time.Duration(rng.IntN(600)) * time.Millisecond)
			cmd.Process.Kill()
			if err := <-done; err == nil {
				t.Fatalf("the crawl ended before the kill: make the site slower\n%s", &stderr)
			}
			before := bucketShas(t, sink.Client())
			for key, sha := range before {
				if !want[sha] {
					t.Errorf("after kill -9, %s is not a complete image", key)
				}
			}

			sum, err := crawlIntoBucket(srv.Endpoint, base+"/", out)
			if err != nil {
				t.Fatal(err)
			}
			if !sum.Resumed {
				t.Error("the second run did not resume the stored crawl")
			}
			got := map[string]string{}
			for key, sha := range bucketShas(t, sink.Client()) {
				if !want[sha] {
					t.Errorf("%s is not an expected image", key)
				}
				if other, ok := got[sha]; ok {
					t.Errorf("content %s is in the bucket twice: %s and %s", sha[:12], other, key)
				}
				got[sha] = key
			}
			for sha := range want {
				if _, ok := got[sha]; !ok {
					t.Errorf("expected image %s missing", sha[:12])
				}
			}
			t.Logf("killed with %d of %d images in the bucket", len(before), len(want))
		})
	}
}
