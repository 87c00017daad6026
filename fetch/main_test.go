package fetch

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// test must close its servers, bodies and idle connections.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
