package testsite

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Start serves the site on 127.0.0.1 on a free port and returns its base URL
// ("http://127.0.0.1:PORT") and a stop function. stop closes the listener
// and every connection, idle ones included, cancels the context of requests
// in flight (ending any Latency wait), and returns once the server's
// goroutines have finished. stop may be called more than once. Start panics if it
// cannot listen, as httptest.NewServer does.
func (s *Site) Start() (base string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("testsite: listen on 127.0.0.1: " + err.Error())
	}
	return Serve(ln, s)
}

// Serve serves h on ln until the returned stop function is called, with the
// same stop behaviour as Start. It returns "http://" plus ln's address.
func Serve(ln net.Listener, h http.Handler) (base string, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var conns sync.WaitGroup
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				conns.Add(1)
			case http.StateHijacked, http.StateClosed:
				conns.Done()
			}
		},
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) //nolint:errcheck // always ErrServerClosed after Close
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			// Close the connections first, so that a request in flight
			// fails instead of getting an empty answer from a handler whose
			// wait was cut short.
			srv.Close() //nolint:errcheck // closing listeners we own
			cancel()
			<-served
			conns.Wait()
		})
	}
	return "http://" + ln.Addr().String(), stop
}
