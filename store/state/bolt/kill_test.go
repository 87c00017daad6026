package bolt

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// childEnv names the state file a child test process works on until it
// is killed.
const childEnv = "IMGCRAWL_TEST_BOLT_CHILD"

// killChild adds and acknowledges images forever, printing "added URL" and
// "done URL" after each call returns, while commits run every millisecond.
func killChild(path string) {
	ctx := context.Background()
	b, err := Open(path, Options{CommitInterval: time.Millisecond})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		var items []state.Item
		for j := range 4 {
			items = append(items, statetest.Image(fmt.Sprintf("http://h/%d/%d-%d.png", os.Getpid(), i, j), 0))
		}
		if _, err := b.Add(ctx, items); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		for _, it := range items {
			fmt.Fprintln(out, "added", it.URL)
		}
		taken, err := b.Take(ctx, 3, time.Now())
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		for _, it := range taken {
			if err := b.Done(ctx, it, state.Outcome{Status: state.Saved, Bytes: 1}); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Fprintln(out, "done", it.URL)
		}
		out.Flush()
	}
}

// TestBoltKill9 kills a process that is busy with a state and checks that
// the reopened state has everything the process was told had succeeded.
func TestBoltKill9(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		killChild(path)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	added, done := map[string]bool{}, map[string]bool{}
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBoltKill9$")
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			verb, url, _ := strings.Cut(sc.Text(), " ")
			switch verb {
			case "added":
				added[url] = true
			case "done":
				done[url] = true
				if n++; n == 2000 {
					cmd.Process.Signal(syscall.SIGKILL)
				}
			default:
				t.Errorf("child: %s", sc.Text())
			}
		}
		cmd.Wait()
		if n < 2000 {
			t.Fatalf("round %d: child ended after %d done", round, n)
		}

		b, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		c := statetest.MustCounts(t, b)
		pending := statetest.MustTake(t, b, 1<<20, time.Now())
		for _, it := range pending {
			if done[it.URL] {
				t.Errorf("round %d: %s was acknowledged before the kill but is handed out again", round, it.URL)
			}
		}
		if c.Saved < int64(len(done)) || c.Bytes != c.Saved {
			t.Errorf("round %d: %d saved (%d bytes), but %d were acknowledged", round, c.Saved, c.Bytes, len(done))
		}
		if c.Seen != c.Saved+int64(len(pending)) || c.ImagesPending != int64(len(pending)) {
			t.Errorf("round %d: counts %+v do not add up with %d pending", round, c, len(pending))
		}
		var urls []state.Item
		for u := range added {
			urls = append(urls, statetest.Image(u, 0))
		}
		again := statetest.MustAdd(t, b, urls...)
		for i, ok := range again {
			if ok {
				t.Errorf("round %d: %s was added before the kill but is new again", round, urls[i].URL)
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d added, %d acknowledged, counts %+v", round, len(added), len(done), c)
	}
}
