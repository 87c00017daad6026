package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bodyTestServer starts a test server and returns it with a client that may
// dial it (AllowPrivate) and has the given idle timeout.
func bodyTestServer(t *testing.T, idle time.Duration, h http.HandlerFunc) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, clientTestNew(t, Config{AllowPrivate: true, IdleTimeout: idle})
}

// bodyTestRaw serves raw as the whole HTTP response, then closes the connection.
func bodyTestRaw(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		buf.WriteString(raw)
		buf.Flush()
	}
}

// bodyTestStall writes prefix with headers, flushes, and waits for the client to go away.
func bodyTestStall(prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, prefix)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
}

func TestGetSizeCap(t *testing.T) {
	endless := func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 1024)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	sized := func(n int, declare bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if declare {
				w.Header().Set("Content-Length", strconv.Itoa(n))
			}
			w.Write(bytes.Repeat([]byte("y"), n))
			w.(http.Flusher).Flush() // without a declared length: chunked
		}
	}
	declaredOnly := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2000")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the body never comes: it must not be awaited
	}
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		max        int64
		wantGetErr *TooLargeError
		wantLen    int
		wantRead   *TooLargeError
	}{
		{"declared length over cap", declaredOnly, 1000, &TooLargeError{Limit: 1000, Declared: 2000}, 0, nil},
		{"declared length at cap", sized(1000, true), 1000, nil, 1000, nil},
		{"undeclared length at cap", sized(1000, false), 1000, nil, 1000, nil},
		{"undeclared length one over cap", sized(1001, false), 1000, nil, 1000, &TooLargeError{Limit: 1000, Declared: -1}},
		{"endless chunked body", endless, 64 << 10, nil, 64 << 10, &TooLargeError{Limit: 64 << 10, Declared: -1}},
		{"no cap", sized(1<<20, false), 0, nil, 1 << 20, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := bodyTestServer(t, 0, tt.handler)
			resp, err := c.Get(context.Background(), srv.URL+"/img", nil, tt.max)
			if tt.wantGetErr != nil {
				var tl *TooLargeError
				if !errors.As(err, &tl) || tl.Limit != tt.wantGetErr.Limit || tl.Declared != tt.wantGetErr.Declared {
					t.Fatalf("Get error = %v, want %+v", err, tt.wantGetErr)
				}
				if resp != nil {
					t.Error("Get returned a response with its error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			if n != int64(tt.wantLen) {
				t.Errorf("read %d bytes, want %d", n, tt.wantLen)
			}
			if tt.wantRead == nil {
				if err != nil {
					t.Errorf("read error %v", err)
				}
				return
			}
			var tl *TooLargeError
			if !errors.As(err, &tl) || *tl != (TooLargeError{URL: srv.URL + "/img", Limit: tt.wantRead.Limit, Declared: tt.wantRead.Declared}) {
				t.Errorf("read error = %#v, want %+v", err, tt.wantRead)
			}
			if _, err2 := resp.Body.Read(make([]byte, 10)); err2 != err {
				t.Errorf("error not sticky: next Read gave %v", err2)
			}
		})
	}
}

func TestGetGzipBomb(t *testing.T) {
	// One gzip member inflating to 1 MiB of zeros, repeated: concatenated
	// members form one stream, 100 MiB of zeros in about 100 KiB.
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	bomb := bytes.Repeat(gz.Bytes(), 100)
	srv, c := bodyTestServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "image/png")
		w.Write(bomb)
	})
	const limit = 1 << 20
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := c.Get(context.Background(), srv.URL, nil, limit)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	var tl *TooLargeError
	if !errors.As(err, &tl) || n != limit {
		t.Fatalf("read %d bytes, error %v; want %d bytes and *TooLargeError", n, err, limit)
	}
	if !resp.Uncompressed {
		t.Error("the transport did not decompress the body")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MiB reading a capped gzip bomb", alloc>>20)
	}
}

func TestGetShortBody(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("image data "), 2000))
	zw.Close()
	cutGzip := gz.String()[:gz.Len()/2]
	tests := []struct {
		name     string
		raw      string
		wantGot  int64 // -1: do not check
		wantWant int64
	}{
		{"content-length longer than body",
			"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello", 5, 100},
		{"chunked body cut off",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 5, -1},
		{"chunked body cut inside a chunk",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", 3, -1},
		{"gzip stream cut off",
			"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" + cutGzip, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := bodyTestServer(t, 0, bodyTestRaw(tt.raw))
			resp, err := c.Get(context.Background(), srv.URL, nil, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			var sb *ShortBodyError
			if !errors.As(err, &sb) {
				t.Fatalf("read error = %v (%T), want *ShortBodyError", err, err)
			}
			if (tt.wantGot >= 0 && sb.Got != tt.wantGot) || sb.Want != tt.wantWant || sb.Got != int64(len(data)) {
				t.Errorf("Got, Want = %d, %d (read %d); want %d, %d", sb.Got, sb.Want, len(data), tt.wantGot, tt.wantWant)
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) || !Retryable(err) {
				t.Error("a short body must wrap io.ErrUnexpectedEOF and be retryable")
			}
		})
	}
}

func TestGetIdleTimeout(t *testing.T) {
	srv, c := bodyTestServer(t, 200*time.Millisecond, bodyTestStall("partial"))
	resp, err := c.Get(context.Background(), srv.URL+"/stall", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Phase != PhaseBody || te.URL != srv.URL+"/stall" {
		t.Fatalf("read error = %v, want *TimeoutError{Phase: body}", err)
	}
	if string(data) != "partial" {
		t.Errorf("read %q before the stall, want %q", data, "partial")
	}
	if !Retryable(err) {
		t.Error("a body timeout is not retryable")
	}
}

func TestGetSlowSteadyBodyCompletes(t *testing.T) {
	const chunks = 30
	srv, c := bodyTestServer(t, 500*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {
		for range chunks {
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	})
	resp, err := c.Get(context.Background(), srv.URL, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body) // takes about 1.5s, three idle timeouts
	if err != nil || len(data) != chunks {
		t.Fatalf("read %d bytes, %v; want %d bytes and no error", len(data), err, chunks)
	}
}

func TestGetSlowConsumerIsNotIdle(t *testing.T) {
	srv, c := bodyTestServer(t, 100*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "0123456789")
	})
	resp, err := c.Get(context.Background(), srv.URL, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the consumer is busy; the server is not idle
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(first)+string(rest) != "0123456789" {
		t.Fatalf("read %q, %v; want the whole body", string(first)+string(rest), err)
	}
}

func TestBodyCloseAbortsRead(t *testing.T) {
	srv, c := bodyTestServer(t, time.Minute, bodyTestStall("a"))
	resp, err := c.Get(context.Background(), srv.URL, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(resp.Body)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	resp.Body.Close()
	select {
	case err := <-done:
		var te *TimeoutError
		if err == nil || errors.As(err, &te) {
			t.Errorf("read after Close returned %v, want a non-timeout error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not abort a blocked Read")
	}
}

func TestDrainAndCloseKeepsConnection(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("z", 1000))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := clientTestNew(t, Config{AllowPrivate: true})
	for range 3 {
		resp, err := c.Get(context.Background(), srv.URL, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		DrainAndClose(resp.Body)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("3 drained requests used %d connections, want 1", n)
	}
}
