package crawler

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// Mode says what a crawl was started from.
type Mode string

// The modes.
const (
	ModeCrawl Mode = "crawl" // seed pages (Config.Seeds), followed for links and images
	ModeGet   Mode = "get"   // a stream of image URLs (Config.Images) alone
)

// Settings are what a stored crawl remembers of the Config that started it.
// Run saves them in a new state and refuses to continue a stored crawl whose
// settings differ (a *MismatchError), so that two crawls never mix in one
// state. They are stored as JSON under these names, which never change. The
// zero value is no crawl.
type Settings struct {
	Mode    Mode         `json:"mode"`
	Seeds   []string     `json:"seeds,omitempty"` // normalized and sorted; ModeCrawl only
	Depth   int          `json:"depth"`           // the depth followed (0: seeds only, not Config's 0); ModeCrawl only, as are Scope, Include and Exclude
	Scope   Scope        `json:"scope,omitempty"`
	Include []string     `json:"include,omitempty"`
	Exclude []string     `json:"exclude,omitempty"`
	Layout  store.Layout `json:"layout"`
	// CrawlID names the crawl in the SQL index (Config.Index): made when
	// the crawl starts, kept by every run that resumes it and by every
	// worker that joins it. It is not compared: it is the crawl's, not
	// the Config's.
	CrawlID string `json:"crawl_id,omitempty"`
}

// LoadSettings returns the settings of the crawl stored in st; ok is false
// when st holds no crawl yet. A process that joins a shared crawl without
// repeating its settings reads them here and applies them with
// Settings.Apply.
func LoadSettings(ctx context.Context, st state.State) (s Settings, ok bool, err error) {
	raw, ok, err := st.LoadMeta(ctx)
	if err != nil || !ok {
		return Settings{}, false, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return Settings{}, false, fmt.Errorf("crawler: stored crawl settings unreadable: %w", err)
	}
	return s, true, nil
}

// Apply sets the fields of cfg that s records: for ModeCrawl the seeds,
// depth (a stored 0 as SeedsOnly), scope and page filters; for every mode
// the layout, when s names one.
func (s Settings) Apply(cfg *Config) {
	if s.Mode == ModeCrawl {
		cfg.Seeds, cfg.Depth, cfg.Scope = s.Seeds, s.Depth, s.Scope
		if s.Depth == 0 {
			cfg.Depth = SeedsOnly
		}
		cfg.Include, cfg.Exclude = s.Include, s.Exclude
	}
	if s.Layout != "" {
		cfg.Layout = s.Layout
	}
}

// MismatchError says a stored crawl was started with other settings.
type MismatchError struct {
	Diffs []string // "seeds: stored [...], now [...]"
}

func (e *MismatchError) Error() string {
	return "crawler: the stored crawl differs from this one (" + strings.Join(e.Diffs, "; ") + ")"
}

// settings returns this crawl's Settings.
func (c *Crawler) settings() Settings {
	if c.s.Images != nil && len(c.seeds) == 0 {
		return Settings{Mode: ModeGet, Layout: c.s.Layout}
	}
	s := Settings{Mode: ModeCrawl, Depth: c.s.Depth, Scope: c.s.Scope, Include: c.s.Include,
		Exclude: c.s.Exclude, Layout: c.s.Layout}
	for _, seed := range c.seeds {
		s.Seeds = append(s.Seeds, seed.URL)
	}
	slices.Sort(s.Seeds)
	return s
}

// checkSettings stores the crawl's settings in a new state, or compares
// them with a stored crawl's; resumed reports a stored crawl. It sets
// c.crawlID: a new one, or the stored crawl's.
func (c *Crawler) checkSettings(ctx context.Context) (resumed bool, err error) {
	now := c.settings()
	old, ok, err := LoadSettings(ctx, c.state)
	if err != nil {
		return ok, err
	}
	if !ok {
		now.CrawlID = newCrawlID(time.Now())
		b, err := json.Marshal(now)
		if err != nil {
			return false, err
		}
		if err := c.state.SaveMeta(ctx, b); err != nil {
			// A shared state refuses other settings: another worker may
			// have started the same crawl a moment ago, under its own id.
			old, ok, lerr := LoadSettings(ctx, c.state)
			if lerr != nil || !ok || len(old.diff(now)) > 0 {
				return false, err
			}
			c.crawlID = old.ID()
			return true, nil
		}
		c.crawlID = now.CrawlID
		return false, nil
	}
	if diffs := old.diff(now); len(diffs) > 0 {
		return true, &MismatchError{Diffs: diffs}
	}
	c.crawlID = old.ID()
	return true, nil
}

// newCrawlID makes a crawl id: the start time, then random digits.
func newCrawlID(at time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return at.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// ID returns the stored crawl's id; a crawl stored before ids were kept
// gets one made from its settings, the same in every run and worker.
func (s Settings) ID() string {
	if s.CrawlID != "" {
		return s.CrawlID
	}
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return "stored-" + hex.EncodeToString(sum[:8])
}

// diff lists how now differs from the stored settings s, in the
// MismatchError's words.
func (s Settings) diff(now Settings) []string {
	var diffs []string
	diff := func(name string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			diffs = append(diffs, fmt.Sprintf("%s: stored %v, now %v", name, a, b))
		}
	}
	diff("mode", s.Mode, now.Mode)
	if now.Mode == ModeCrawl {
		diff("seeds", s.Seeds, now.Seeds)
		diff("depth", s.Depth, now.Depth)
		diff("scope", s.Scope, now.Scope)
		diff("include", s.Include, now.Include)
		diff("exclude", s.Exclude, now.Exclude)
	}
	diff("layout", s.Layout, now.Layout)
	return diffs
}
