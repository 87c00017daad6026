package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// benchItem returns a distinct image item of realistic size.
func benchItem(i uint64) state.Item {
	var k state.Key
	binary.BigEndian.PutUint64(k[:], i)
	binary.BigEndian.PutUint64(k[8:], i*0x9e3779b97f4a7c15)
	return state.Item{
		Key:   k,
		URL:   "https://images.example.com/gallery/2024/summer/photo-00001234.jpg",
		Kind:  state.KindImage,
		Depth: 2,
		Page:  "https://www.example.com/gallery/2024/summer/index.html",
	}
}

// benchStates are the states the benchmarks compare.
var benchStates = []struct {
	name string
	open func(b *testing.B) state.State
}{
	{"memory", func(*testing.B) state.State { return state.NewMemory() }},
	{"bolt", func(b *testing.B) state.State { return benchOpen(b, false) }},
	{"bolt-nosync", func(b *testing.B) state.State { return benchOpen(b, true) }},
}

func benchOpen(b *testing.B, noSync bool) state.State {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	})
	return s
}

// benchAdd adds new items, batch per call, and reports items/s.
func benchAdd(b *testing.B, s state.State, batch int) {
	ctx := context.Background()
	items := make([]state.Item, batch)
	var next uint64
	b.ReportAllocs()
	for b.Loop() {
		for i := range items {
			items[i] = benchItem(next)
			next++
		}
		if _, err := s.Add(ctx, items); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkMemoryAdd(b *testing.B) {
	for _, batch := range []int{1, 32} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchAdd(b, state.NewMemory(), batch)
		})
	}
}

// BenchmarkBoltAdd measures Add of new items, and (seen/...) of items
// already committed: the seen-set lookup in bbolt, with nothing to journal,
// compared with memory.
func BenchmarkBoltAdd(b *testing.B) {
	for _, st := range benchStates[1:] {
		for _, batch := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/batch=%d", st.name, batch), func(b *testing.B) {
				benchAdd(b, st.open(b), batch)
			})
		}
	}
	for _, st := range benchStates {
		b.Run("seen/"+st.name, func(b *testing.B) {
			ctx := context.Background()
			s := st.open(b)
			const n = 100_000
			items := make([]state.Item, 0, 1000)
			for i := range uint64(n) {
				if items = append(items, benchItem(i)); len(items) == cap(items) {
					if _, err := s.Add(ctx, items); err != nil {
						b.Fatal(err)
					}
					items = items[:0]
				}
			}
			if err := s.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			var i uint64
			b.ReportAllocs()
			for b.Loop() {
				if added, err := s.Add(ctx, []state.Item{benchItem(i % n)}); err != nil || added[0] {
					b.Fatal("seen item added again", err)
				}
				i += 7919
			}
		})
	}
}

// BenchmarkBoltDone acknowledges handed-out items, one per call.
func BenchmarkBoltDone(b *testing.B) {
	for _, st := range benchStates {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			s := st.open(b)
			items := make([]state.Item, b.N)
			for i := range items {
				items[i] = benchItem(uint64(i))
			}
			for start := 0; start < len(items); start += 1000 {
				if _, err := s.Add(ctx, items[start:min(start+1000, len(items))]); err != nil {
					b.Fatal(err)
				}
			}
			taken, err := s.Take(ctx, len(items), time.Now())
			if err != nil || len(taken) != len(items) {
				b.Fatalf("took %d of %d: %v", len(taken), len(items), err)
			}
			out := state.Outcome{Status: state.Saved, Bytes: 123456}
			b.ReportAllocs()
			b.ResetTimer()
			for _, it := range taken {
				if err := s.Done(ctx, it, out); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkBoltLifecycle measures one image's whole round through the
// state, as imgcrawl get drives it: Add, Take, ClaimContent, Done, with a
// group commit (Flush) every 1,000 items, on a state already holding
// 20,000 finished items. Keys and content hashes are random, as real ones
// are, so each commit touches leaves all over the seen and content buckets.
func BenchmarkBoltLifecycle(b *testing.B) {
	for _, st := range benchStates {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			s := st.open(b)
			out := state.Outcome{Status: state.Saved, Bytes: 4096}
			var n uint64
			round := func() {
				it := benchItem(n)
				binary.BigEndian.PutUint64(it.Key[:], n*0xd6e8feb86659fd93+1)
				var sum [32]byte
				binary.BigEndian.PutUint64(sum[:], n*0xa0761d6478bd642f+7)
				n++
				if _, err := s.Add(ctx, []state.Item{it}); err != nil {
					b.Fatal(err)
				}
				if got, err := s.Take(ctx, 1, time.Now()); err != nil || len(got) != 1 {
					b.Fatalf("Take = %d items, %v", len(got), err)
				}
				if _, _, err := s.ClaimContent(ctx, sum, "images.example.com/gallery/photo.jpg", state.KeyOf("images.example.com/gallery/photo.jpg")); err != nil {
					b.Fatal(err)
				}
				if err := s.Done(ctx, it, out); err != nil {
					b.Fatal(err)
				}
				if n%1000 == 0 {
					if err := s.Flush(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			for range 20_000 {
				round()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				round()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
