package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// decodeEncode compresses b with a content coding.
func decodeEncode(t testing.TB, coding string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "identity":
		return b
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "br":
		w = brotli.NewWriterLevel(&buf, brotli.BestSpeed)
	case "zstd":
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	default:
		t.Fatalf("no encoder for %s", coding)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeServer serves body with Content-Encoding coding, and records the
// Accept-Encoding of the last request.
func decodeServer(t *testing.T, coding string, body []byte, accept *string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*accept = r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Type", "text/html")
		if coding != "identity" {
			w.Header().Set("Content-Encoding", coding)
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func decodeClient(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(Config{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestGetDecoded(t *testing.T) {
	page := []byte(strings.Repeat(`<p><img src="/i/1.png"> some text that compresses</p>`+"\n", 500))
	for _, coding := range []string{"identity", "gzip", "br", "zstd"} {
		t.Run(coding, func(t *testing.T) {
			var accept string
			url := decodeServer(t, coding, decodeEncode(t, coding, page), &accept)
			resp, err := decodeClient(t).GetDecoded(context.Background(), url, nil, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil || !bytes.Equal(got, page) {
				t.Fatalf("body: %d bytes, err %v; want the %d bytes served", len(got), err, len(page))
			}
			if accept != AcceptEncoding {
				t.Errorf("Accept-Encoding %q, want %q", accept, AcceptEncoding)
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != "" || (coding != "identity" && resp.ContentLength != -1) {
				t.Errorf("decoded response keeps Content-Encoding %q / length %d", ce, resp.ContentLength)
			}
		})
	}
}

// TestGetKeepsTransportGzip: Get (images) does not ask for br or zstd; the
// transport's own gzip handling stays as it was.
func TestGetKeepsTransportGzip(t *testing.T) {
	var accept string
	url := decodeServer(t, "identity", []byte("x"), &accept)
	resp, err := decodeClient(t).Get(context.Background(), url, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strings.Contains(accept, "br") || strings.Contains(accept, "zstd") {
		t.Errorf("Get sent Accept-Encoding %q", accept)
	}
}

// TestGetDecodedBombCapped: a small body that decodes to far more than the
// cap delivers exactly the cap, then *TooLargeError.
func TestGetDecodedBombCapped(t *testing.T) {
	const decoded, limit = 32 << 20, 256 << 10
	zeros := make([]byte, decoded)
	for _, coding := range []string{"gzip", "br", "zstd"} {
		t.Run(coding, func(t *testing.T) {
			bomb := decodeEncode(t, coding, zeros)
			if len(bomb) >= limit {
				t.Fatalf("the %s bomb is %d bytes on the wire: the wire cap, not the decoded one, would stop it", coding, len(bomb))
			}
			var accept string
			url := decodeServer(t, coding, bomb, &accept)
			resp, err := decodeClient(t).GetDecoded(context.Background(), url, nil, limit)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			var tl *TooLargeError
			if !errors.As(err, &tl) || n != limit {
				t.Errorf("read %d bytes, err %v; want %d bytes then *TooLargeError", n, err, limit)
			}
		})
	}
}

// TestGetDecodedWireCapped: a zstd stream of skippable frames decodes to
// nothing, for ever; the cap on encoded bytes stops it.
func TestGetDecodedWireCapped(t *testing.T) {
	const limit = 64 << 10
	var stream []byte
	for len(stream) <= 4*limit {
		frame := make([]byte, 8+1000)
		binary.LittleEndian.PutUint32(frame, 0x184D2A50) // skippable frame magic
		binary.LittleEndian.PutUint32(frame[4:], 1000)
		stream = append(stream, frame...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "zstd")
		w.Write(stream) // chunked: no Content-Length to refuse up front
	}))
	defer srv.Close()
	resp, err := decodeClient(t).GetDecoded(context.Background(), srv.URL, nil, limit)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	var tl *TooLargeError
	if !errors.As(err, &tl) || n != 0 {
		t.Errorf("read %d bytes, err %v; want none, then *TooLargeError", n, err)
	}
}

func TestGetDecodedErrors(t *testing.T) {
	gz := decodeEncode(t, "gzip", bytes.Repeat([]byte("<p>hello</p>"), 10000))
	for _, tc := range []struct {
		name, coding string
		body         []byte
		check        func(error) bool
		want         string
	}{
		{"cut off", "gzip", gz[:len(gz)/2], func(err error) bool { return errors.As(err, new(*ShortBodyError)) }, "body cut off"},
		{"corrupt", "br", []byte("this is not brotli at all, not at all"), func(err error) bool { return err != nil }, "decoding br body of"},
		{"not asked for", "deflate", []byte("x"), func(err error) bool { return err != nil }, `unsupported content-encoding "deflate"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var accept string
			url := decodeServer(t, tc.coding, tc.body, &accept)
			resp, err := decodeClient(t).GetDecoded(context.Background(), url, nil, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, resp.Body)
			if !tc.check(err) || !strings.Contains(fmtOrEmpty(err), tc.want) || !strings.HasPrefix(fmtOrEmpty(err), "fetch: ") {
				t.Errorf("read error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func fmtOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
