package render

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The defaults New gives the Config fields left at zero.
const (
	// DefaultTabs suits two cores: each tab's renderer takes one while a
	// page runs its scripts.
	DefaultTabs         = 2
	DefaultPageTimeout  = 45 * time.Second
	DefaultQuiet        = 500 * time.Millisecond
	DefaultQuietMax     = 8 * time.Second
	DefaultScrollBudget = 15 * time.Second
	DefaultMaxHeight    = 100_000 // CSS pixels scrolled at most
)

// InstallHint says how to get a browser on Debian and Ubuntu.
const InstallHint = "install Chromium (Debian, Ubuntu: sudo apt-get install chromium) or name a Chromium or Chrome binary with --browser PATH"

// ErrNoBrowser is wrapped by the error of New when no browser can be
// found; the error says how to install one.
var ErrNoBrowser = errors.New("render: no Chromium found")

// Config configures a Renderer. Load is required; the zero value of every
// other field means its default.
type Config struct {
	// Browser is the Chromium or Chrome binary (a path, or a name looked
	// up in PATH); "" looks for chromium, chromium-browser, google-chrome
	// and google-chrome-stable in PATH.
	Browser string
	// Tabs is how many pages load at once; 0 = DefaultTabs.
	Tabs int
	// UserAgent is what the page's scripts see in navigator.userAgent
	// (the requests themselves are made by Load); "" = the browser's own.
	UserAgent string
	// Load answers the browser's requests for documents (other than the
	// page's own), scripts, style sheets, XHR and the like. It is called
	// from many goroutines at once.
	Load Loader
	// PageTimeout bounds one try of a page, from load to collection;
	// 0 = DefaultPageTimeout.
	PageTimeout time.Duration
	// Quiet is how long no request may be in flight for the network to
	// count as quiet; QuietMax bounds each wait for it. 0 = the defaults.
	Quiet, QuietMax time.Duration
	// ScrollBudget bounds the time spent scrolling a page, MaxHeight the
	// distance (CSS pixels); 0 = the defaults.
	ScrollBudget time.Duration
	MaxHeight    int
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Load == nil {
		return c, errors.New("render: Config.Load is required")
	}
	if c.Tabs < 0 {
		return c, fmt.Errorf("render: tabs must be > 0, got %d", c.Tabs)
	}
	if c.Tabs == 0 {
		c.Tabs = DefaultTabs
	}
	if c.PageTimeout <= 0 {
		c.PageTimeout = DefaultPageTimeout
	}
	if c.Quiet <= 0 {
		c.Quiet = DefaultQuiet
	}
	if c.QuietMax <= 0 {
		c.QuietMax = DefaultQuietMax
	}
	if c.ScrollBudget <= 0 {
		c.ScrollBudget = DefaultScrollBudget
	}
	if c.MaxHeight <= 0 {
		c.MaxHeight = DefaultMaxHeight
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	path, err := FindBrowser(c.Browser)
	if err != nil {
		return c, err
	}
	c.Browser = path
	return c, nil
}

// FindBrowser returns the path of the browser that name (a path or a
// command name; "" = the usual names of Chromium and Chrome) designates.
// It fails with an error wrapping ErrNoBrowser that says how to install
// one.
func FindBrowser(name string) (string, error) {
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	if name != "" {
		names = []string{name}
	}
	for _, n := range names {
		path, err := exec.LookPath(n)
		if err != nil {
			continue
		}
		if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
			return path, nil
		}
	}
	if name != "" {
		return "", fmt.Errorf("%w: %q is not a command or file; %s", ErrNoBrowser, name, InstallHint)
	}
	return "", fmt.Errorf("%w in PATH (looked for %s); %s", ErrNoBrowser, strings.Join(names, ", "), InstallHint)
}
