// Package s3 is a store.Sink that puts images into a bucket of an
// S3-compatible object store (Amazon S3, MinIO, Ceph, VersityGW, ...),
// through github.com/minio/minio-go/v7.
//
// Nothing partial is ever under an image's final key: an image up to
// Config.PartSize goes in one PUT, which the server stores only once the
// whole body has arrived; a larger one is a multipart upload, whose object
// appears only when the upload is completed, and which is aborted when a
// part fails. A process killed mid-upload leaves at most an incomplete
// multipart upload, which holds no object: a lifecycle rule on the bucket
// (AbortIncompleteMultipartUpload) removes those, as does
// Client().RemoveIncompleteUpload.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/imgcrawl/imgcrawl/store"
)

// Config says where a Sink puts images.
type Config struct {
	// Endpoint is the server's "host:port" ("s3.amazonaws.com",
	// "127.0.0.1:9000"), without a scheme.
	Endpoint string
	// Secure uses HTTPS.
	Secure bool
	// Region is the bucket's region; "" lets the client ask the server.
	Region string
	// AccessKey and SecretKey sign the requests; both empty sends them
	// unsigned (a public bucket).
	AccessKey, SecretKey string
	// Bucket must exist; New does not create it.
	Bucket string
	// Prefix goes before each image's name: "crawls/2026-12/" puts
	// "example.com/a.png" under "crawls/2026-12/example.com/a.png".
	Prefix string
	// PartSize is the largest image put in one request, and the size of
	// the parts of larger ones (the client holds up to one part in memory
	// per upload); 0 = 16 MiB. S3 wants at least 5 MiB.
	PartSize uint64
	// Transport, when set, carries the requests (a proxy, custom TLS).
	Transport http.RoundTripper
}

// Sink puts images into one bucket. Safe for concurrent use. Make it with
// New.
type Sink struct {
	client   *minio.Client
	bucket   string
	prefix   string
	partSize uint64
}

var (
	_ store.Sink    = (*Sink)(nil)
	_ store.Exister = (*Sink)(nil)
)

// New checks cfg and prepares a client; it makes no request.
func New(cfg Config) (*Sink, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("s3: no endpoint")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, fmt.Errorf("s3: endpoint %q: give host:port, and Secure for https", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket")
	}
	if cfg.PartSize != 0 && cfg.PartSize < 5<<20 {
		return nil, fmt.Errorf("s3: part size %d is below the 5 MiB S3 allows", cfg.PartSize)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.Secure,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	return &Sink{client: c, bucket: cfg.Bucket, prefix: cfg.Prefix, partSize: cmpOr(cfg.PartSize, 16<<20)}, nil
}

func cmpOr(a, b uint64) uint64 {
	if a != 0 {
		return a
	}
	return b
}

// Key returns the object key of an image name: Prefix then name.
func (s *Sink) Key(name string) string { return path.Clean(s.prefix + name) }

// Put streams r to the object Key(obj.Name). With obj.Size unknown (-1),
// it is a multipart upload of PartSize parts.
func (s *Sink) Put(ctx context.Context, obj store.Object, r io.Reader) error {
	key := s.Key(obj.Name)
	opts := minio.PutObjectOptions{ContentType: obj.ContentType, PartSize: s.partSize}
	if obj.SHA256 != "" {
		opts.UserMetadata = map[string]string{shaMeta: obj.SHA256}
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, r, obj.Size, opts)
	if err != nil {
		return fmt.Errorf("s3: put %s/%s: %w", s.bucket, key, err)
	}
	return nil
}

// shaMeta is the user metadata (x-amz-meta-imgcrawl-sha256) Put stores an
// image's SHA-256 in, for Exists.
const shaMeta = "Imgcrawl-Sha256"

// Exists reports whether the bucket holds an object under Key(name), and
// whether Put stored it with the SHA-256 sha256 (hex).
func (s *Sink) Exists(ctx context.Context, name, sha256 string) (exists, same bool, err error) {
	key := s.Key(name)
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err == nil {
		got := info.UserMetadata[shaMeta]
		return true, got != "" && strings.EqualFold(got, sha256), nil
	}
	if er := minio.ToErrorResponse(err); er.StatusCode == http.StatusNotFound && er.Code != "NoSuchBucket" {
		return false, false, nil
	}
	return false, false, fmt.Errorf("s3: stat %s/%s: %w", s.bucket, key, err)
}

// Check asks the server whether the bucket exists and the credentials may
// see it: a program calls it before a long crawl, to fail at once rather
// than at the first image.
func (s *Sink) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3: bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("s3: bucket %s does not exist", s.bucket)
	}
	return nil
}

// Client returns the client the Sink uses, to read back what it put or to
// manage the bucket.
func (s *Sink) Client() *minio.Client { return s.client }
