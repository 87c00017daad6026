package options

import "github.com/imgcrawl/imgcrawl/crawler"

// Known are the options that use an index (crawler.Config.Index) to skip
// the images other crawls saved. Only the service's jobs take them from
// here; the commands have their own --skip-known and --revalidate, which
// need --index.
type Known struct {
	SkipKnown  bool `json:"skip-known"`
	Revalidate bool `json:"revalidate"`
}

// Apply copies k into cfg.
func (k *Known) Apply(cfg *crawler.Config) {
	cfg.SkipKnown, cfg.Revalidate = k.SkipKnown, k.Revalidate
}
