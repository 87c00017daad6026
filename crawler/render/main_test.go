package render

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// needBrowser skips the test when no Chromium is installed, unless CI is
// set: there, a missing browser is a broken set-up.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := FindBrowser(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %v", err)
		}
		t.Skip(err)
	}
}

// httpLoader loads with a plain client: the tests of this package check
// the browser side, not the crawler's rules.
func httpLoader(ctx context.Context, r Request) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return Response{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	if resp.StatusCode == http.StatusTeapot {
		return Response{}, errors.New("teapot")
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}
