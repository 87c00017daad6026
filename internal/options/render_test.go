package options

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// TestRenderJSON: the render options read from JSON under the flags'
// names, and a bad value is an error naming the option.
func TestRenderJSON(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    crawler.RenderMode
		wantErr string // the option named
	}{
		{`{}`, "", ""},
		{`{"render":"on"}`, crawler.RenderOn, ""},
		{`{"render":"AUTO","render-match":"gallery"}`, crawler.RenderAuto, ""},
		{`{"render":true}`, crawler.RenderOn, ""},
		{`{"render":false}`, crawler.RenderOff, ""},
		{`{"render":"maybe"}`, "", "json"},
		{`{"render":1}`, "", "json"},
		{`{"render":"on","render-tabs":0}`, "", "render-tabs"},
		{`{"render-match":"x"}`, "", "render-match"},
		{`{"render":"auto","render-match":"("}`, "", "render-match"},
	} {
		a := Defaults()
		err := json.Unmarshal([]byte(tc.in), &a)
		if err == nil {
			cfg := crawler.Config{Seeds: []string{"http://127.0.0.1/"}, Out: t.TempDir()}
			err = a.Apply(&cfg, true)
			if err == nil && cfg.Render != tc.want {
				t.Errorf("%s: render %q, want %q", tc.in, cfg.Render, tc.want)
			}
		}
		var oe *Error
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.wantErr == "json" && (err == nil || errors.As(err, &oe)):
			t.Errorf("%s: %v, want a JSON error", tc.in, err)
		case tc.wantErr != "" && tc.wantErr != "json" && (!errors.As(err, &oe) || oe.Option != tc.wantErr || !strings.HasPrefix(err.Error(), "--"+tc.wantErr)):
			t.Errorf("%s: %v, want an *Error naming %s", tc.in, err, tc.wantErr)
		}
	}
}
