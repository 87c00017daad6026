package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// withSignals cancels the context on the first SIGINT or SIGTERM (the crawl
// stops taking work, flushes and exits 130). A second signal calls quit,
// which exits at once (runCrawl's removes the crawl's temp files first).
func withSignals(parent context.Context, e *env, quit func()) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			fmt.Fprintln(e.stderr, "\nimgcrawl: interrupted: finishing in-flight work (press Ctrl-C again to quit now)")
			cancel()
		case <-done:
			return
		}
		select {
		case <-ch:
			fmt.Fprintln(e.stderr, "imgcrawl: interrupted twice: exiting now")
			quit()
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}
