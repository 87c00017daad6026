package fetch

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// AcceptEncoding is the Accept-Encoding that GetDecoded sends: the content
// codings it decodes.
const AcceptEncoding = "gzip, br, zstd"

// decodeZstdWindow is the largest zstd window accepted: RFC 9659 limits the
// "zstd" content coding to 8 MiB, which bounds a decoder's memory.
const decodeZstdWindow = 8 << 20

// GetDecoded is Get for bodies that are read whole (pages, stylesheets):
// it asks for AcceptEncoding and decodes a gzip, br (brotli) or zstd body
// itself, so the body read from the response is the decoded one. Go's
// transport decodes gzip on its own only when it chose the header; Get, used
// for images, keeps that behaviour.
//
// maxBytes caps both the encoded bytes received and the decoded bytes
// delivered: reads return *TooLargeError once either would pass it, so a
// small body that expands without end (a "zip bomb") stops at the cap, and
// so does a stream that sends bytes without producing any. A declared
// Content-Length over maxBytes is refused as in Get. The decoded response
// has no Content-Encoding or Content-Length header, ContentLength -1 and
// Uncompressed set.
//
// Another coding, or a list of codings, fails the first Read with an error
// naming it; a corrupt stream fails with an error naming the coding; one cut
// off is *ShortBodyError. Errors and the closing rules are otherwise Get's.
func (c *Client) GetDecoded(ctx context.Context, rawURL string, extra http.Header, maxBytes int64) (*http.Response, error) {
	h := extra.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Accept-Encoding", AcceptEncoding)
	resp, err := c.Get(ctx, rawURL, h, maxBytes)
	if err != nil {
		return nil, err
	}
	coding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if coding == "" || coding == "identity" {
		return resp, nil
	}
	resp.Body = Decode(resp.Body, coding, rawURL, maxBytes)
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	return resp, nil
}

// Decode returns a reader of body decoded from coding ("gzip", "br" or
// "zstd"), for a body whose coding is known by other means than its
// Content-Encoding (a .gz file served as is). Its reads end in
// *TooLargeError once more than maxBytes decoded bytes would be delivered
// (maxBytes <= 0: no cap); errors are GetDecoded's. Closing it closes body.
func Decode(body io.ReadCloser, coding, rawURL string, maxBytes int64) io.ReadCloser {
	d := &decodeReader{wire: body, coding: coding, url: Redact(rawURL), limit: maxBytes}
	d.src.r = body
	return d
}

// decodeReader decodes a response body. The decoder is made at the first
// Read, so a body that is closed unread costs nothing. Read must not be
// called concurrently; Close may be called concurrently with Read.
type decodeReader struct {
	wire   io.ReadCloser // the encoded body (a *bodyReader: idle timeout, wire cap)
	src    decodeSource  // wire, as the decoder reads it
	coding string
	url    string
	limit  int64 // cap on decoded bytes; <= 0: none

	dec io.Reader
	n   int64
	err error // sticky
}

// open makes the decoder for d.coding.
func (d *decodeReader) open() error {
	switch d.coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(&d.src)
		if err != nil {
			return err
		}
		d.dec = zr
	case "br":
		d.dec = brotli.NewReader(&d.src)
	case "zstd":
		// Concurrency 1 decodes in the caller's goroutine: the decoder
		// starts none, and needs no Close.
		zd, err := zstd.NewReader(&d.src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(decodeZstdWindow))
		if err != nil {
			return err
		}
		d.dec = zd
	default:
		d.err = fmt.Errorf("fetch: %s: unsupported content-encoding %q (asked for %s)", d.url, d.coding, AcceptEncoding)
		return d.err
	}
	return nil
}

// decodeSource reads the encoded body for a decoder and keeps the first
// error other than EOF: decoders may hide it (zstd reports a timeout or the
// wire cap as a stream cut off), and the wire's own error says more.
type decodeSource struct {
	r   io.Reader
	err error
}

func (s *decodeSource) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// Read implements io.Reader.
func (d *decodeReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.dec == nil {
		if err := d.open(); err != nil {
			if d.err == nil {
				d.err = d.mapErr(err)
			}
			return 0, d.err
		}
	}
	if d.limit > 0 {
		// One byte past the cap, to tell an overflow from an exact fit.
		if room := d.limit - d.n + 1; int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := d.dec.Read(p)
	d.n += int64(n)
	if d.limit > 0 && d.n > d.limit {
		n -= int(d.n - d.limit)
		d.n = d.limit
		d.err = &TooLargeError{URL: d.url, Limit: d.limit, Declared: -1}
		return n, d.err
	}
	if err != nil {
		d.err = d.mapErr(err)
	}
	return n, d.err
}

// mapErr returns the wire's own error when it had one (a timeout, the cap,
// a cut-off or reset body: decoders may report those as something else),
// *ShortBodyError for a compressed stream that ends early, and otherwise
// the decoder's error, naming the coding.
func (d *decodeReader) mapErr(err error) error {
	switch {
	case err == io.EOF:
		return io.EOF
	case d.src.err != nil:
		return d.src.err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ShortBodyError{URL: d.url, Got: d.n, Want: -1}
	}
	return fmt.Errorf("fetch: decoding %s body of %s: %w", d.coding, d.url, err)
}

// Close closes the encoded body without draining it. The decoders hold
// nothing else: none starts a goroutine.
func (d *decodeReader) Close() error {
	return d.wire.Close()
}
