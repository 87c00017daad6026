package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// withSignals cancels the context on the first SIGINT or SIGTERM (the crawl
// stops taking work, flushes and exits 130). A second signal removes temp
// files and exits at once.
func withSignals(parent context.Context, e *env, tmpDir string) (context.Context, func()) {
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
			removeTemp(tmpDir)
			fmt.Fprintln(e.stderr, "imgcrawl: interrupted twice: exiting now")
			os.Exit(exitCanceled)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}

func removeTemp(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.part"))
	for _, f := range files {
		os.Remove(f)
	}
}
