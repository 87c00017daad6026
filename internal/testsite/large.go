package testsite

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
)

// LargeImagePath is where the standalone server serves NewLargeImage.
const LargeImagePath = "/large.bin.png"

// NewLargeImage returns a handler serving a PNG header (signature and IHDR
// chunk, enough for image.DecodeConfig) followed by size bytes of
// deterministic filler, for tests of size caps and download speed. The body
// is generated as it is sent, never held in memory; Content-Length is set and
// Range and conditional requests work. It answers every path; mount it where
// wanted. The handler is safe for concurrent use.
func NewLargeImage(size int64) http.Handler {
	return largeImage{header: largeHeader(size), size: max(0, size)}
}

type largeImage struct {
	header []byte
	size   int64
}

func (l largeImage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeBody(w, http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("405 method not allowed\n"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("ETag", `"large-`+strconv.FormatInt(l.size, 10)+`"`)
	http.ServeContent(w, r, "", imageEpoch, &largeReader{header: l.header, total: int64(len(l.header)) + l.size})
}

// largeHeader returns the PNG signature and an IHDR chunk for an 8-bit RGB
// image 1024 pixels wide and about tall enough for size bytes of pixels.
func largeHeader(size int64) []byte {
	const width = 1024
	height := max(1, min(size/(width*3), 1<<31-1))
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	chunk := []byte("IHDR")
	chunk = binary.BigEndian.AppendUint32(chunk, width)
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(height))
	chunk = append(chunk, 8, 2, 0, 0, 0) // depth 8, RGB, deflate, adaptive filter, no interlace
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

// largeReader is an io.ReadSeeker over header followed by filler bytes up
// to total; each filler byte is a function of its offset alone.
type largeReader struct {
	header []byte
	total  int64
	off    int64
}

func (l *largeReader) Read(p []byte) (int, error) {
	if l.off >= l.total {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), l.total-l.off)]
	word, block := uint64(0), int64(-1)
	for i := range p {
		o := l.off + int64(i)
		if o < int64(len(l.header)) {
			p[i] = l.header[o]
			continue
		}
		if o/8 != block {
			block = o / 8
			word = fillerWord(block)
		}
		p[i] = byte(word >> (8 * (o % 8)))
	}
	l.off += int64(len(p))
	return len(p), nil
}

// fillerWord returns the filler bytes at offsets 8*block .. 8*block+7 (low
// byte first): a splitmix64 hash of block.
func fillerWord(block int64) uint64 {
	z := uint64(block) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (l *largeReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += l.off
	case io.SeekEnd:
		offset += l.total
	default:
		return 0, errors.New("testsite: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("testsite: seek: negative position")
	}
	l.off = offset
	return offset, nil
}
