package crawler

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
)

// funcSink is a store.Sink made of a function.
type funcSink func(ctx context.Context, obj store.Object, r io.Reader) error

func (f funcSink) Put(ctx context.Context, obj store.Object, r io.Reader) error {
	return f(ctx, obj, r)
}

// TestSinkErrorStopsTheCrawl: a sink that fails stops the crawl as a full
// disk does, with a *store.WriteError wrapping its error.
func TestSinkErrorStopsTheCrawl(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png">`}, false)
	gone := errors.New("bucket gone")
	cfg := hookConfig(srv, t, &hookLog{}, Hooks{})
	cfg.Sink = funcSink(func(context.Context, store.Object, io.Reader) error { return gone })
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background())
	var we *store.WriteError
	if !errors.As(err, &we) || !errors.Is(err, gone) {
		t.Errorf("Run = %v, want a *store.WriteError wrapping the sink's error", err)
	}
}

// TestSinkStoppedByCancel: a Put that waits is ended by cancelling Run's
// ctx, and Run returns context.Canceled, not a write error.
func TestSinkStoppedByCancel(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png">`}, false)
	entered := make(chan struct{})
	cfg := hookConfig(srv, t, &hookLog{}, Hooks{})
	cfg.Sink = funcSink(func(ctx context.Context, _ store.Object, _ io.Reader) error {
		close(entered)
		<-ctx.Done()
		return errors.New("upload interrupted")
	})
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Run(ctx); done <- err }()
	<-entered
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}
