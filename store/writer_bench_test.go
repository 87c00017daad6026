package store

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"testing"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// BenchmarkWriterSave measures the image write path alone: sniff and
// dimensions from the head, SHA-256 while writing the temp file, and the
// link into place, for a 64 KiB PNG under a new name each time.
func BenchmarkWriterSave(b *testing.B) {
	benchmarkSave(b, 128, false)
}

// BenchmarkWriterSaveSmall is what the crawler does per small image (a
// 4 KiB PNG): look for a kept partial download, then Save. On such images
// the syscalls per file, not the bytes, are the cost.
func BenchmarkWriterSaveSmall(b *testing.B) {
	benchmarkSave(b, 32, true)
}

func benchmarkSave(b *testing.B, side int, lookup bool) {
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	w, err := NewWriter(WriterConfig{Dir: b.TempDir(), Layout: LayoutFlat})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := fmt.Sprintf("http://example.com/img/%d.png", i)
		if lookup {
			if _, ok := w.LoadPartial(state.KeyOf(s)); ok {
				b.Fatal("found a partial download")
			}
		}
		u, _ := url.Parse(s)
		data[len(data)-20] = byte(i) // distinct content, so nothing is a duplicate
		data[len(data)-21] = byte(i >> 8)
		if _, err := w.Save(ctx, Image{Key: state.KeyOf(s), URL: u, ContentLength: int64(len(data))}, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
