package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"go.uber.org/goleak"

	"github.com/imgcrawl/imgcrawl/internal/s3test"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/s3"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(child())
	}
	if os.Getenv(crawlChildEnv) != "" {
		os.Exit(crawlChild())
	}
	goleak.VerifyTestMain(m)
}

const bucket = "images"

func newSink(t *testing.T, srv *s3test.Server, prefix string) *s3.Sink {
	t.Helper()
	sink, err := s3.New(s3.Config{Endpoint: srv.Endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey,
		Bucket: bucket, Prefix: prefix, PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return sink
}

// newSinkB is the sink of the benchmarks: the default part size.
func newSinkB(srv *s3test.Server) (*s3.Sink, error) {
	return s3.New(s3.Config{Endpoint: srv.Endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, Bucket: bucket})
}

// randomBytes returns n bytes that differ for each seed.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestPutStoresExactlyTheBytes puts objects small and large, of known and
// unknown size, and reads them back from the server.
func TestPutStoresExactlyTheBytes(t *testing.T) {
	srv := s3test.Start(t, bucket)
	sink := newSink(t, srv, "run1/")
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		size  int
		known bool
	}{
		{"small", 3000, true},
		{"small unknown size", 3000, false},
		{"multipart", 12 << 20, true},
		{"multipart unknown size", 12 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.size, uint64(tc.size))
			obj := store.Object{Name: "h/" + tc.name + ".png", Size: int64(tc.size), ContentType: "image/png"}
			if !tc.known {
				obj.Size = -1
			}
			if err := sink.Put(ctx, obj, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			o, err := sink.Client().GetObject(ctx, bucket, "run1/"+obj.Name, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			got, err := io.ReadAll(o)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := o.Stat()
			if !bytes.Equal(got, data) || st.ContentType != "image/png" {
				t.Errorf("read back %d bytes (equal: %v), type %q", len(got), bytes.Equal(got, data), st.ContentType)
			}
			if ok, same, err := sink.Exists(ctx, obj.Name, ""); !ok || same || err != nil {
				t.Errorf("Exists = %v, %v, %v; want true, false (no SHA-256 given to Put)", ok, same, err)
			}
		})
	}
	if ok, _, err := sink.Exists(ctx, "h/none.png", ""); ok || err != nil {
		t.Errorf("Exists of a missing object = %v, %v", ok, err)
	}
	sum := sha256.Sum256([]byte("x"))
	sha := hex.EncodeToString(sum[:])
	if err := sink.Put(ctx, store.Object{Name: "x.png", Size: 1, SHA256: sha}, strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sha  string
		same bool
	}{{sha, true}, {strings.ToUpper(sha), true}, {strings.Repeat("0", 64), false}} {
		if ok, same, err := sink.Exists(ctx, "x.png", tc.sha); !ok || same != tc.same || err != nil {
			t.Errorf("Exists(x.png, %s) = %v, %v, %v; want same %v", tc.sha[:8], ok, same, err, tc.same)
		}
	}
}

func TestMissingBucketIsAnError(t *testing.T) {
	srv := s3test.Start(t, bucket)
	ctx := context.Background()
	if err := newSink(t, srv, "").Check(ctx); err != nil {
		t.Errorf("Check of an existing bucket: %v", err)
	}
	sink, err := s3.New(s3.Config{Endpoint: srv.Endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey,
		Bucket: "nosuch"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Check(ctx); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Check of a missing bucket = %v", err)
	}
	if ok, _, err := sink.Exists(ctx, "a.png", ""); ok || err == nil {
		t.Errorf("Exists in a missing bucket = %v, %v; want an error", ok, err)
	}
	wrong, _ := s3.New(s3.Config{Endpoint: srv.Endpoint, AccessKey: s3test.AccessKey, SecretKey: "wrong", Bucket: bucket})
	if err := wrong.Put(ctx, store.Object{Name: "a.png", Size: 1}, strings.NewReader("x")); err == nil {
		t.Error("Put with a wrong secret succeeded")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []s3.Config{
		{Bucket: "b"},
		{Endpoint: "http://127.0.0.1:9000", Bucket: "b"},
		{Endpoint: "127.0.0.1:9000"},
		{Endpoint: "127.0.0.1:9000", Bucket: "b", PartSize: 1 << 20},
	} {
		if _, err := s3.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// The kill test: a child process (this test binary again) puts one object
// from a reader that stalls after a while; the parent kills it with SIGKILL
// in the middle of the upload and checks that no object is under the key.
const (
	childEnv  = "IMGCRAWL_S3_KILL_CHILD" // "endpoint size stallAfter marker"
	killKey   = "big.png"
	childPart = 5 << 20
)

// child runs in the child process: it puts an object of the given size
// (-1: unknown) whose reader writes the marker file after stallAfter bytes
// and then blocks until the process is killed.
func child() int {
	var endpoint, marker string
	var size int64
	var stallAfter int
	if _, err := fmt.Sscan(os.Getenv(childEnv), &endpoint, &size, &stallAfter, &marker); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	sink, err := s3.New(s3.Config{Endpoint: endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey,
		Bucket: bucket, PartSize: childPart})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	r := &stallingReader{left: stallAfter, marker: marker}
	err = sink.Put(context.Background(), store.Object{Name: killKey, Size: size, ContentType: "image/png"}, r)
	fmt.Fprintln(os.Stderr, "child: Put returned:", err)
	return 1
}

type stallingReader struct {
	left   int
	marker string
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		os.WriteFile(r.marker, []byte("stalled"), 0o644)
		select {} // until SIGKILL
	}
	n := min(len(p), r.left)
	for i := range p[:n] {
		p[i] = byte(i)
	}
	r.left -= n
	return n, nil
}

func TestKilledUploadLeavesNoObject(t *testing.T) {
	srv := s3test.Start(t, bucket)
	sink := newSink(t, srv, "")
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		size       int64
		stallAfter int
		multipart  bool
	}{
		{"one PUT", 4 << 20, 3 << 20, false},    // below the part size: one request, cut
		{"multipart", 40 << 20, 12 << 20, true}, // parts 1 and 2 complete, part 3 cut
		{"unknown size", -1, 12 << 20, true},    // the same, without a length
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "stalled")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d %s", childEnv, srv.Endpoint, tc.size, tc.stallAfter, marker))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitFor(t, func() bool { _, err := os.Stat(marker); return err == nil }, done, &stderr)
			time.Sleep(200 * time.Millisecond) // what was sent reaches the server
			cmd.Process.Kill()
			<-done

			if ok, _, err := sink.Exists(ctx, killKey, ""); ok || err != nil {
				t.Errorf("after kill -9: Exists(%s) = %v, %v; want no object", killKey, ok, err)
			}
			if _, err := os.Stat(filepath.Join(srv.Dir, bucket, killKey)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the backend holds a file under the final key: %v", err)
			}
			if tc.multipart {
				// The upload was under way: the server holds it, incomplete.
				n := 0
				for u := range sink.Client().ListIncompleteUploads(ctx, bucket, killKey, true) {
					if u.Err != nil {
						t.Fatal(u.Err)
					}
					n++
					sink.Client().RemoveIncompleteUpload(ctx, bucket, killKey)
				}
				if n == 0 {
					t.Error("no incomplete upload: the child was not killed mid-upload")
				}
			}
			// A later upload under the key completes as usual.
			data := randomBytes(1000, 7)
			if err := sink.Put(ctx, store.Object{Name: killKey, Size: 1000}, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			if err := sink.Client().RemoveObject(ctx, bucket, killKey, minio.RemoveObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool, done <-chan error, stderr *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("child exited early: %v\n%s", err, stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not reach the middle of its upload")
		}
	}
}
