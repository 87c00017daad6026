package testsite

import (
	"bytes"
	"image"
	"io"
	"net/http"
	"strconv"
	"testing"
)

func TestLargeImage(t *testing.T) {
	const size = 1 << 20
	h := NewLargeImage(size)
	full := get(t, h, LargeImagePath)
	body := full.Body.Bytes()
	headerLen := len(largeHeader(size))
	t.Run("length", func(t *testing.T) {
		if len(body) != headerLen+size {
			t.Errorf("%d bytes, want %d", len(body), headerLen+size)
		}
		if cl := full.Header().Get("Content-Length"); cl != strconv.Itoa(headerLen+size) {
			t.Errorf("Content-Length %q", cl)
		}
	})
	t.Run("decodes as png", func(t *testing.T) {
		cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
		if err != nil || format != "png" || cfg.Width != 1024 {
			t.Errorf("DecodeConfig = %+v, %q, %v", cfg, format, err)
		}
	})
	t.Run("deterministic", func(t *testing.T) {
		if !bytes.Equal(get(t, NewLargeImage(size), "/x").Body.Bytes(), body) {
			t.Error("two handlers of the same size serve different bytes")
		}
	})
	tests := []struct {
		name, rng  string
		start, end int // of the expected slice of body
	}{
		{"inside header", "bytes=0-9", 0, 10},
		{"across header", "bytes=30-99", 30, 100},
		{"unaligned middle", "bytes=500003-500020", 500003, 500021},
		{"suffix", "bytes=-7", headerLen + size - 7, headerLen + size},
		{"open end", "bytes=" + strconv.Itoa(size) + "-", size, headerLen + size},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, LargeImagePath, "Range", tt.rng)
			if rec.Code != http.StatusPartialContent {
				t.Fatalf("status %d", rec.Code)
			}
			if !bytes.Equal(rec.Body.Bytes(), body[tt.start:tt.end]) {
				t.Errorf("range %s does not match the full body", tt.rng)
			}
		})
	}
}

func TestLargeReaderSeek(t *testing.T) {
	r := &largeReader{header: []byte("HEAD"), total: 100}
	tests := []struct {
		name   string
		offset int64
		whence int
		want   int64
		err    bool
	}{
		{"start", 10, io.SeekStart, 10, false},
		{"current", 5, io.SeekCurrent, 15, false},
		{"end", -1, io.SeekEnd, 99, false},
		{"negative", -1, io.SeekStart, 0, true},
		{"bad whence", 0, 42, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Seek(tt.offset, tt.whence)
			if (err != nil) != tt.err || !tt.err && got != tt.want {
				t.Errorf("Seek(%d, %d) = %d, %v; want %d (error %v)", tt.offset, tt.whence, got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := r.Seek(200, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("Read past the end = %d, %v; want 0, EOF", n, err)
	}
}
