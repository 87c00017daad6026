package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/statetest"
)

func TestMemoryState(t *testing.T) {
	statetest.Run(t, func(*testing.T) store.State { return store.NewMemory() }, statetest.Options{})
}

func TestBoltState(t *testing.T) {
	statetest.Run(t, func(t *testing.T) store.State {
		b, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"),
			store.BoltOptions{NoSync: true, CommitInterval: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}, statetest.Options{})
}
