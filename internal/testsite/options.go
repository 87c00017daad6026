package testsite

import "time"

// Options shapes a synthetic site. The same Options always produce the same
// site: the same link graph, the same HTML and the same image bytes.
//
// A zero field takes its default (see DefaultOptions), except Latency (zero
// means none) and Features (zero means off). To ask for none of a count that
// defaults to non-zero, use a negative value.
type Options struct {
	Pages          int           // number of numbered HTML pages, "/" included (default 60)
	LinksPerPage   int           // random links per page in addition to the tree links (default 4; <0: none)
	ImagesPerPage  int           // generic image references per page (default 4; <0: none)
	DistinctImages int           // distinct generic images, shared across pages (default Pages*ImagesPerPage/3, min 1)
	ImageBytes     int           // approximate size of each image in bytes (default 4096)
	Seed           int64         // PRNG seed (default 1; 0 means 1)
	Latency        time.Duration // added to every response (default 0)
	Features       bool          // add the hostile and reference-form features (true in DefaultOptions)
}

// DefaultOptions returns the defaults: 60 pages, 4 random links and 4 images
// per page, images of about 4 KiB, seed 1, no latency, features on.
// DistinctImages is left 0 so that it follows Pages and ImagesPerPage
// (Pages*ImagesPerPage/3: 80 for the defaults) when a caller changes them.
func DefaultOptions() Options {
	return Options{
		Pages:         60,
		LinksPerPage:  4,
		ImagesPerPage: 4,
		ImageBytes:    4096,
		Seed:          1,
		Features:      true,
	}
}

// Tree branching of the numbered pages: page i links to pages
// i*treeBranching+1 .. i*treeBranching+treeBranching.
const treeBranching = 3

// withDefaults resolves zero and negative fields to the values New uses.
func (o Options) withDefaults() Options {
	if o.Pages <= 0 {
		o.Pages = 60
	}
	switch {
	case o.LinksPerPage == 0:
		o.LinksPerPage = 4
	case o.LinksPerPage < 0:
		o.LinksPerPage = 0
	}
	switch {
	case o.ImagesPerPage == 0:
		o.ImagesPerPage = 4
	case o.ImagesPerPage < 0:
		o.ImagesPerPage = 0
	}
	if o.DistinctImages <= 0 {
		o.DistinctImages = max(1, o.Pages*o.ImagesPerPage/3)
	}
	if o.ImageBytes <= 0 {
		o.ImageBytes = 4096
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Latency < 0 {
		o.Latency = 0
	}
	return o
}
