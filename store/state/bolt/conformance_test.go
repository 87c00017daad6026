package bolt_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
	"github.com/imgcrawl/imgcrawl/store/state/statetest"
)

func TestBoltState(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.State {
		b, err := bolt.Open(filepath.Join(t.TempDir(), "state.db"),
			bolt.Options{NoSync: true, CommitInterval: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}, statetest.Options{})
}
