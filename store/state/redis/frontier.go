package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// addBatch is the most items one Add script handles; a longer Add is split
// so that no script keeps the server busy for long.
const addBatch = 256

// Add implements state.State: each key is tested and set in the job's seen
// set and enqueued in one atomic step, so of two workers adding the same
// URL exactly one gets added[i] == true.
func (s *State) Add(ctx context.Context, items []state.Item) ([]bool, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	added := make([]bool, 0, len(items))
	for start := 0; start < len(items); start += addBatch {
		batch := items[start:min(start+addBatch, len(items))]
		args := make([]any, 1, 1+5*len(batch))
		args[0] = s.gen
		for _, it := range batch {
			blob, err := encodeItem(it)
			if err != nil {
				return nil, err
			}
			args = append(args, string(it.Key[:]), kindName(it.Kind), strconv.Itoa(it.Depth),
				notBeforeArg(it.NotBefore), blob)
		}
		res, err := addScript.Run(ctx, s.rdb, s.fkeys, args...).Int64Slice()
		if err != nil {
			return nil, s.errf("add", err)
		}
		if len(res) != len(batch) {
			return nil, fmt.Errorf("redis: add: %d replies for %d items", len(res), len(batch))
		}
		for _, r := range res {
			added = append(added, r == 1)
		}
	}
	return added, nil
}

// Take implements state.State. Leases that ran out anywhere in the job are
// reclaimed first; the items handed out are leased to this worker for
// Options.Lease, renewed in the background until Done, Requeue or Close.
// now decides which not-before times are due (the workers' clocks should
// roughly agree); leases use the Redis server's clock.
func (s *State) Take(ctx context.Context, max int, now time.Time) ([]state.Item, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	res, err := takeScript.Run(ctx, s.rdb, s.fkeys, s.gen, now.UnixMicro(), max, s.opt.Worker,
		s.opt.Lease.Microseconds()).StringSlice()
	if err != nil {
		return nil, s.errf("take", err)
	}
	if len(res)%2 != 0 {
		return nil, fmt.Errorf("redis: take: odd reply of %d values", len(res))
	}
	items := make([]state.Item, 0, len(res)/2)
	for i := 0; i < len(res); i += 2 {
		it, err := decodeItem(res[i+1])
		if err != nil {
			return nil, fmt.Errorf("redis: take: item %x: %w", res[i], err)
		}
		it.Key = keyOf(res[i])
		items = append(items, it)
	}
	s.mu.Lock()
	for _, it := range items {
		s.held[it.Key] = struct{}{}
	}
	s.mu.Unlock()
	return items, nil
}

// Requeue implements state.State. Only the worker holding an item's lease
// may requeue it; a requeue after the lease has moved on is ignored.
func (s *State) Requeue(ctx context.Context, it state.Item) error {
	if err := s.check(); err != nil {
		return err
	}
	blob, err := encodeItem(it)
	if err != nil {
		return err
	}
	err = requeueScript.Run(ctx, s.rdb, s.fkeys, s.gen, string(it.Key[:]), s.opt.Worker, blob,
		notBeforeArg(it.NotBefore)).Err()
	if err != nil {
		return s.errf("requeue", err)
	}
	s.forget(it.Key)
	return nil
}

// Done implements state.State. A late Done (this worker's lease ran out and
// the item went to another worker) still completes the item, once: the
// other worker's Done is then ignored, and its download, if any, finds the
// content already claimed.
func (s *State) Done(ctx context.Context, it state.Item, out state.Outcome) error {
	if err := s.check(); err != nil {
		return err
	}
	err := doneScript.Run(ctx, s.rdb, s.fkeys, s.gen, string(it.Key[:]), string(out.Status), out.Bytes).Err()
	if err != nil {
		return s.errf("done", err)
	}
	s.forget(it.Key)
	return nil
}

func (s *State) forget(k state.Key) {
	s.mu.Lock()
	delete(s.held, k)
	s.mu.Unlock()
}

// wireItem is an item as stored in Redis (the key is the hash field).
type wireItem struct {
	URL       string     `json:"u"`
	Kind      state.Kind `json:"k"`
	Depth     int        `json:"d,omitempty"`
	Page      string     `json:"p,omitempty"`
	Origin    string     `json:"o,omitempty"`
	Hops      int        `json:"h,omitempty"`
	Attempt   int        `json:"a,omitempty"`
	NotBefore int64      `json:"n,omitempty"` // Unix nanoseconds; 0 = none
}

func encodeItem(it state.Item) (string, error) {
	if !it.Kind.Valid() {
		return "", fmt.Errorf("redis: item %s: unknown kind %d", it.URL, it.Kind)
	}
	if it.Depth < 0 || it.Depth > maxDepth {
		return "", fmt.Errorf("redis: item %s: depth %d out of range 0..%d", it.URL, it.Depth, maxDepth)
	}
	w := wireItem{URL: it.URL, Kind: it.Kind, Depth: it.Depth, Page: it.Page, Origin: it.Origin,
		Hops: it.Hops, Attempt: it.Attempt}
	if !it.NotBefore.IsZero() {
		w.NotBefore = it.NotBefore.UnixNano()
	}
	b, err := json.Marshal(w)
	if err != nil {
		return "", fmt.Errorf("redis: item %s: %w", it.URL, err)
	}
	return string(b), nil
}

func decodeItem(blob string) (state.Item, error) {
	var w wireItem
	if err := json.Unmarshal([]byte(blob), &w); err != nil {
		return state.Item{}, err
	}
	if _, err := url.Parse(w.URL); err != nil || w.URL == "" {
		return state.Item{}, fmt.Errorf("bad URL %q", w.URL)
	}
	if !w.Kind.Valid() {
		return state.Item{}, fmt.Errorf("unknown kind %d", w.Kind)
	}
	it := state.Item{URL: w.URL, Kind: w.Kind, Depth: w.Depth, Page: w.Page, Origin: w.Origin,
		Hops: w.Hops, Attempt: w.Attempt}
	if w.NotBefore != 0 {
		it.NotBefore = time.Unix(0, w.NotBefore)
	}
	return it, nil
}

// kindName is the scripts' name of k's queue: "p" for pages and style
// sheets (state.Kind.PageLike), "i" for images. The item's own kind is in
// its encoding.
func kindName(k state.Kind) string {
	if k.PageLike() {
		return "p"
	}
	return "i"
}

// notBeforeArg is the delayed-set score of a not-before time: Unix
// microseconds, or "" for an item due at once.
func notBeforeArg(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}
