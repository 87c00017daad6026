package crawler

import (
	"context"
	"errors"
	"fmt"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// handle records a job's result in the state: discovered items first, then
// the acknowledgement, so a crash between the two never loses links.
func (f *frontier) handle(ctx context.Context, r result) error {
	st := f.c.state
	if r.fatal != nil {
		return r.fatal
	}
	if r.aborted {
		return nil
	}
	if r.requeue {
		return st.Requeue(ctx, r.item)
	}
	if len(r.add) > 0 {
		added, err := st.Add(ctx, r.add)
		if err != nil {
			return err
		}
		if r.redirect != nil && len(added) > 0 && !added[0] {
			ev := redirectSeen(r.item, *r.redirect)
			r.ev, r.outcome = &ev, outcomeOf(&ev)
		}
	}
	if ix := f.c.ix; ix != nil && ix.deferAcks && r.ev != nil && r.ev.Kind == KindImage {
		ix.ackAfterWrite(r.item, r.outcome, *r.ev) // acknowledged in acked, once its row is written
		return nil
	}
	if err := st.Done(ctx, r.item, r.outcome); err != nil {
		return err
	}
	// Records follow acknowledgements: the manifest never holds a line
	// the state could lose.
	if r.ev != nil {
		f.c.emit(*r.ev)
	}
	return nil
}

// redirectSeen reports a redirect to a URL the crawl has already seen.
func redirectSeen(from, to state.Item) Event {
	origin := from.Origin
	if origin == "" {
		origin = from.URL
	}
	status := Skipped
	err := fmt.Errorf("redirects to %s, already crawled", to.URL)
	if to.URL == origin {
		status, err = Failed, errors.New("redirect loop")
	}
	ev := event(from.Kind, origin, status, err)
	ev.Page, ev.Depth = from.Page, from.Depth
	return ev
}

// acked acknowledges the image results whose rows the index writer
// committed (a state without records: see indexer.deferAcks), and sends
// their events on.
func (f *frontier) acked(ctx context.Context) error {
	for _, a := range f.c.ix.takeAcks() {
		if err := f.c.state.Done(ctx, a.item, a.out); err != nil {
			return err
		}
		f.c.emit(a.ev)
	}
	return nil
}

// ackReady is the indexer's signal of committed results, nil (never ready)
// when acknowledgements are not deferred.
func (f *frontier) ackReady() <-chan struct{} {
	if f.c.ix == nil || !f.c.ix.deferAcks {
		return nil
	}
	return f.c.ix.ackReady
}
