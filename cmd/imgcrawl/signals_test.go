//go:build unix

package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondSignalQuits sends this process SIGINT twice: the first cancels
// the context, the second calls quit (which, in runCrawl, removes the
// crawl's temp files and exits).
func TestSecondSignalQuits(t *testing.T) {
	var stderr syncBuffer
	quit := make(chan struct{})
	ctx, stop := withSignals(context.Background(), &env{stderr: &stderr}, func() { close(quit) })
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the first SIGINT did not cancel the context")
	}
	select {
	case <-quit:
		t.Fatal("quit after one SIGINT")
	case <-time.After(50 * time.Millisecond):
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quit:
	case <-time.After(5 * time.Second):
		t.Fatal("the second SIGINT did not call quit")
	}
	if s := stderr.String(); !strings.Contains(s, "interrupted:") || !strings.Contains(s, "interrupted twice") {
		t.Errorf("stderr:\n%s", s)
	}
}
