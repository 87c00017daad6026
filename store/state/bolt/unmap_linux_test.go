package bolt

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// mappedKiB returns the resident kilobytes of this process's mappings of
// path, from /proc/self/smaps.
func mappedKiB(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	total, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) >= 6 && fields[5] == path
			continue
		}
		if in && len(fields) == 3 && fields[0] == "Rss:" {
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatalf("smaps: %q", line)
			}
			total += n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// TestBoltCommitsKeepFileUnmapped runs a crawl's worth of adds and
// acknowledgements through many commits: the state file grows to megabytes,
// and what stays mapped in memory is a small part of it.
func TestBoltCommitsKeepFileUnmapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{NoSync: true, CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	record := []byte(`{"url":"` + strings.Repeat("x", 300) + `"}`)
	// As in a crawl, items wait in the queue over several commits before
	// they are acknowledged: commits delete queue records written long
	// before, and append acknowledgements with their records.
	var next uint64
	for round := range 110 {
		if round < 100 {
			items := make([]state.Item, 500)
			for i := range items {
				items[i] = benchItem(next)
				next++
			}
			if _, err := s.Add(ctx, items); err != nil {
				t.Fatal(err)
			}
		}
		if round >= 10 {
			taken, err := s.Take(ctx, 500, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range taken {
				if err := s.Done(ctx, it, state.Outcome{Status: state.Saved, Bytes: 1, Record: record}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.commit(false); err != nil {
			t.Fatal(err)
		}
		// Reads between commits map pages too.
		if _, err := s.Counts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	size := int(fi.Size() / 1024)
	mapped := mappedKiB(t, path)
	t.Logf("state file %d KiB, mapped %d KiB", size, mapped)
	if size < 4096 {
		t.Fatalf("state file is %d KiB: too small to tell", size)
	}
	if mapped > size/8 {
		t.Errorf("%d KiB of the %d KiB state file stay mapped", mapped, size)
	}
}
