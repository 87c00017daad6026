package state_test

import (
	"testing"

	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/statetest"
)

func TestMemoryState(t *testing.T) {
	statetest.Run(t, func(*testing.T) state.State { return state.NewMemory() }, statetest.Options{})
}
