package crawler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// patientState retries a shared state's transient failures (a Redis server
// restarting, a network cut) with backoff instead of ending the crawl. While
// it waits, the frontier, which makes every state call, hands out no work;
// in-flight jobs finish and wait to be recorded, and nothing is
// acknowledged before it was written. Disk and data errors stay fatal.
type patientState struct {
	state.State
	log     *slog.Logger
	giveUp  time.Duration // total wait before a transient error becomes fatal
	onRetry func(err error, wait time.Duration)
}

// transient reports whether err is worth waiting out: a network error, or
// a state that says it is unavailable for now (a server loading its data, a
// failover under way).
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, state.ErrUnavailable) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func (p *patientState) do(ctx context.Context, what string, fn func() error) error {
	wait := 100 * time.Millisecond
	deadline := time.Now().Add(p.giveUp)
	for {
		err := fn()
		if !transient(err) || time.Now().After(deadline) {
			return err
		}
		p.log.Warn("crawl state unreachable; retrying", "op", what, "in", wait, "err", err)
		if p.onRetry != nil {
			p.onRetry(err, wait)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
		wait = min(wait*2, 10*time.Second)
	}
}

func (p *patientState) Add(ctx context.Context, items []state.Item) (added []bool, err error) {
	err = p.do(ctx, "add", func() error { added, err = p.State.Add(ctx, items); return err })
	return added, err
}

func (p *patientState) Take(ctx context.Context, max int, now time.Time) (items []state.Item, err error) {
	err = p.do(ctx, "take", func() error { items, err = p.State.Take(ctx, max, now); return err })
	return items, err
}

func (p *patientState) Requeue(ctx context.Context, it state.Item) error {
	return p.do(ctx, "requeue", func() error { return p.State.Requeue(ctx, it) })
}

func (p *patientState) Done(ctx context.Context, it state.Item, out state.Outcome) error {
	return p.do(ctx, "done", func() error { return p.State.Done(ctx, it, out) })
}

func (p *patientState) Counts(ctx context.Context) (c state.Counts, err error) {
	err = p.do(ctx, "counts", func() error { c, err = p.State.Counts(ctx); return err })
	return c, err
}

func (p *patientState) ClaimContent(ctx context.Context, sum [32]byte, path string, by state.Key) (owner string, first bool, err error) {
	err = p.do(ctx, "claim", func() error { owner, first, err = p.State.ClaimContent(ctx, sum, path, by); return err })
	return owner, first, err
}
