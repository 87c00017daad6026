package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// flakyState fails Add with err for its first fails calls.
type flakyState struct {
	state.State
	fails int
	err   error
	calls int
}

func (f *flakyState) Add(ctx context.Context, items []state.Item) ([]bool, error) {
	f.calls++
	if f.calls <= f.fails {
		return nil, f.err
	}
	return f.State.Add(ctx, items)
}

func TestPatientStateWaitsOutTransientErrorsOnly(t *testing.T) {
	netErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	item := []state.Item{{Key: state.KeyOf("http://x/"), URL: "http://x/", Kind: state.KindPage}}
	for _, tc := range []struct {
		name      string
		err       error
		giveUp    time.Duration
		wantErr   bool
		wantCalls int
	}{
		{"network error retried", netErr, time.Minute, false, 3},
		{"unavailable state retried", fmt.Errorf("redis: take: %w: LOADING", state.ErrUnavailable), time.Minute, false, 3},
		{"disk error fatal at once", errors.New("store: write state.db: no space left on device"), time.Minute, true, 1},
		{"gives up after its budget", netErr, time.Nanosecond, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := &flakyState{State: state.NewMemory(), fails: 2, err: tc.err}
			p := &patientState{State: fs, log: slog.New(slog.DiscardHandler), giveUp: tc.giveUp}
			added, err := p.Add(context.Background(), item)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Add = %v, %v; want error %v", added, err, tc.wantErr)
			}
			if fs.calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", fs.calls, tc.wantCalls)
			}
		})
	}
}
