package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/s3test"
	"github.com/imgcrawl/imgcrawl/store"
)

// BenchmarkPut puts objects of a few sizes into VersityGW on loopback
// (posix back end): what the sink adds per image, and its throughput.
func BenchmarkPut(b *testing.B) {
	srv := s3test.Start(b, bucket)
	sink, err := newSinkB(srv)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{64 << 10, 1 << 20, 24 << 20} {
		data := randomBytes(size, 1)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; b.Loop(); i++ {
				obj := store.Object{Name: fmt.Sprintf("bench/%d", i), Size: int64(size), ContentType: "image/png"}
				if err := sink.Put(context.Background(), obj, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
