package crawler

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// known returns the index's row of an image URL that another crawl saved,
// when SkipKnown or Revalidate asks; ok is false when none did or the
// index could not say (then the image is fetched as usual).
func (c *Crawler) known(ctx context.Context, it state.Item) (im index.Image, ok bool) {
	if it.Kind != state.KindImage || !(c.s.SkipKnown || c.s.Revalidate) {
		return im, false
	}
	im, ok, err := c.s.Index.Saved(ctx, it.Key.String(), c.crawlID)
	if err != nil {
		c.s.Logger.Warn("index: look-up failed: the image is fetched", "url", it.URL, "err", err)
		return im, false
	}
	return im, ok
}

// knownFile is where a row's file is.
func knownFile(im index.Image) string {
	return filepath.Join(im.OutDir, filepath.FromSlash(im.Path))
}

// conditional returns the headers that ask for im's URL only when it
// changed since im was saved; nil when im has no validator.
func conditional(im index.Image) http.Header {
	h := http.Header{}
	if im.ETag != "" {
		h.Set("If-None-Match", im.ETag)
	}
	if im.LastModified != "" {
		h.Set("If-Modified-Since", im.LastModified)
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// indexClaims is the writer's Claimer with SkipKnown or Revalidate: content
// another crawl saved is claimed already, by that crawl's file (an absolute
// path); any other is claimed in the state.
type indexClaims struct {
	state.State
	c *Crawler
}

func (k indexClaims) ClaimContent(ctx context.Context, sum [32]byte, path string, by state.Key) (string, bool, error) {
	im, ok, err := k.c.s.Index.BySHA256(ctx, hex.EncodeToString(sum[:]), k.c.crawlID)
	if err != nil {
		k.c.s.Logger.Warn("index: look-up failed: the content is kept", "err", err)
	}
	if ok {
		return knownFile(im), false, nil
	}
	return k.State.ClaimContent(ctx, sum, path, by)
}

// knownSkip is the error of an image skipped because another crawl saved it.
func knownSkip(im index.Image, why string) error {
	return fmt.Errorf("%s: saved by crawl %s as %s", why, im.CrawlID, knownFile(im))
}
