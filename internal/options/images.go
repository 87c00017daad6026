package options

import (
	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store/imagetype"
)

// Images are the options that decide which images are kept and how they
// are written. Its zero value keeps every image up to no size cap: start
// from Defaults().Images.
type Images struct {
	Accept             string   `json:"accept" placeholder:"TYPES" help:"Image types to keep, e.g. png,jpeg,gif,webp,avif,svg (default all)."`
	MinSize            ByteSize `json:"min-size" name:"min-size" default:"0" help:"Skip images smaller than this (bytes, KiB, MiB)."`
	MaxSize            ByteSize `json:"max-size" name:"max-size" default:"${default_max_size}" help:"Skip images larger than this."`
	MinWidth           int      `json:"min-width" name:"min-width" default:"0" help:"Skip images narrower than this (pixels)."`
	MinHeight          int      `json:"min-height" name:"min-height" default:"0" help:"Skip images shorter than this (pixels)."`
	Fsync              bool     `json:"fsync" help:"Fsync each image before it is renamed into place."`
	ContentDisposition bool     `json:"content-disposition" name:"content-disposition" help:"Name files from Content-Disposition (base name only, sanitized)."`
}

// Apply checks i and copies it into cfg.
func (i *Images) Apply(cfg *crawler.Config) error {
	cfg.Accept = nil
	if i.Accept != "" {
		var err error
		if cfg.Accept, err = imagetype.ParseAccept(i.Accept); err != nil {
			return &Error{"accept", err}
		}
	}
	cfg.MinSize, cfg.MaxSize = int64(i.MinSize), int64(i.MaxSize)
	cfg.MinWidth, cfg.MinHeight = i.MinWidth, i.MinHeight
	cfg.Fsync, cfg.ContentDisposition = i.Fsync, i.ContentDisposition
	return nil
}
