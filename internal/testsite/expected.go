package testsite

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// ExpectedImage is one image a correct crawl saves.
type ExpectedImage struct {
	SHA256 string   // hex SHA-256 of the image bytes
	Depth  int      // the least depth of a fetched page that references it
	Paths  []string // normalized path+query of every URL referencing it from a fetched page, sorted
	Bytes  int      // size in bytes
}

// ImageRef is one image URL the site serves.
type ImageRef struct {
	Path       string // normalized path+query
	SHA256     string // hex SHA-256 of the bytes served there
	Disallowed bool   // robots.txt disallows it for imgcrawl
}

// Expected returns the images a correct crawler saves when it crawls from
// "/" with the given depth limit (the seed page is depth 0; a negative
// maxDepth means no limit), keeping to this host and obeying robots.txt for
// pages and images as the product "imgcrawl". There is one entry per
// distinct content, ordered by depth and then first path. Images are those
// referenced by the fetched pages (every candidate of a srcset counts);
// references that are data: URIs, that fail (404), that serve something
// other than an image, or that robots.txt disallows are left out.
//
// Expected generates every image it lists (in parallel) if it was not
// generated yet.
func (s *Site) Expected(maxDepth int) []ExpectedImage {
	type agg struct {
		depth int
		paths map[string]struct{}
	}
	byContent := make(map[int]*agg)
	for p, d := range s.depth {
		if !within(d, maxDepth) {
			continue
		}
		s.eachImage(p, func(ref imageRef) {
			if ref.content < 0 || !ref.allowed {
				return
			}
			a := byContent[ref.content]
			if a == nil {
				a = &agg{depth: int(d), paths: make(map[string]struct{})}
				byContent[ref.content] = a
			}
			a.depth = min(a.depth, int(d))
			a.paths[ref.norm] = struct{}{}
		})
	}
	ids := make([]int, 0, len(byContent))
	for id := range byContent {
		ids = append(ids, id)
	}
	s.images.warm(ids)

	// Different content ids may still encode to the same bytes (tiny images),
	// so group by hash.
	bySum := make(map[[sha256.Size]byte]*ExpectedImage)
	paths := make(map[*ExpectedImage]map[string]struct{})
	for _, id := range ids {
		a := byContent[id]
		sum, size := s.images.info(id)
		e := bySum[sum]
		if e == nil {
			e = &ExpectedImage{SHA256: hex.EncodeToString(sum[:]), Depth: a.depth, Bytes: size}
			bySum[sum] = e
			paths[e] = make(map[string]struct{})
		}
		e.Depth = min(e.Depth, a.depth)
		for p := range a.paths {
			paths[e][p] = struct{}{}
		}
	}
	out := make([]ExpectedImage, 0, len(bySum))
	for _, e := range bySum {
		for p := range paths[e] {
			e.Paths = append(e.Paths, p)
		}
		slices.Sort(e.Paths)
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b ExpectedImage) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(a.Paths[0], b.Paths[0]))
	})
	return out
}

// ImageList returns every image URL the site serves, whether or not a page
// references it: the generic images in id order, then the feature images
// (one entry per URL, so the same bytes may appear under several paths).
// URLs that robots.txt disallows are included and marked. The HTML served
// as image/jpeg is not listed. ImageList generates every image.
func (s *Site) ImageList() []ImageRef {
	type entry struct {
		path string
		id   int
	}
	var all []entry
	for id := range s.nImg {
		all = append(all, entry{s.genericImagePath(id), id})
	}
	if s.opt.Features {
		for i, fi := range featureImages {
			for _, p := range fi.paths {
				norm, _ := declaredKeys(p)
				all = append(all, entry{norm, s.nImg + i})
			}
		}
	}
	ids := make([]int, len(all))
	for i, e := range all {
		ids[i] = e.id
	}
	s.images.warm(ids)
	out := make([]ImageRef, len(all))
	for i, e := range all {
		sum, _ := s.images.info(e.id)
		out[i] = ImageRef{Path: e.path, SHA256: hex.EncodeToString(sum[:]), Disallowed: robotsDisallowed(e.path)}
	}
	return out
}
