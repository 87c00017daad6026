package testsite

// The link graph: numbered pages form a tree (page i links to its children
// i*treeBranching+1 .. i*treeBranching+treeBranching) with LinksPerPage
// random links on top, and feature blocks and pages add their own links.
// Depths are BFS distances from "/" over the links a crawler follows, through
// pages that exist and that robots.txt allows.

// pageCount returns the number of pages, feature pages included.
func (s *Site) pageCount() int { return s.n + len(s.extras) }

// pageNorm returns the normalized path+query of page p.
func (s *Site) pageNorm(p int) string {
	if p < s.n {
		return pagePath(p)
	}
	return s.extraNorm[p-s.n]
}

// eachLink calls fn with every existing page that page p links to.
func (s *Site) eachLink(p int, fn func(q int)) {
	if p >= s.n {
		for _, q := range s.extraLinks[p-s.n] {
			fn(int(q))
		}
		return
	}
	for c := p*treeBranching + 1; c <= p*treeBranching+treeBranching && c < s.n; c++ {
		fn(c)
	}
	k := s.opt.LinksPerPage
	for _, q := range s.links[p*k : p*k+k] {
		fn(int(q))
	}
	for _, d := range s.decoByPage[p] {
		for _, q := range s.decoLinks[d] {
			fn(int(q))
		}
	}
	fn(0) // the footer's "Home"
}

// eachImage calls fn with every image reference on page p.
func (s *Site) eachImage(p int, fn func(ref imageRef)) {
	if p >= s.n {
		for _, r := range s.extraImgs[p-s.n] {
			fn(r)
		}
		return
	}
	k := s.opt.ImagesPerPage
	for _, id := range s.refs[p*k : p*k+k] {
		path := s.genericImagePath(int(id))
		fn(imageRef{norm: path, content: int(id), allowed: !robotsDisallowed(path)})
	}
	for _, d := range s.decoByPage[p] {
		for _, r := range s.decoImgs[d] {
			fn(r)
		}
	}
}

// bfs returns the depth of every page from "/" (-1 for pages not reached).
func (s *Site) bfs() []int32 {
	depth := make([]int32, s.pageCount())
	for i := range depth {
		depth[i] = -1
	}
	allowed := func(q int) bool {
		return q < s.n || !robotsDisallowed(s.extraNorm[q-s.n])
	}
	depth[0] = 0
	queue := []int32{0}
	for len(queue) > 0 {
		p := int(queue[0])
		queue = queue[1:]
		s.eachLink(p, func(q int) {
			if depth[q] < 0 && allowed(q) {
				depth[q] = depth[p] + 1
				queue = append(queue, int32(q))
			}
		})
	}
	return depth
}

// within reports whether BFS depth d is reached with a depth limit of
// maxDepth (negative: no limit).
func within(d int32, maxDepth int) bool {
	return d >= 0 && (maxDepth < 0 || int(d) <= maxDepth)
}

// ExpectedPages returns the pages a correct crawler from "/" fetches with
// the given depth limit (the seed is depth 0; a negative maxDepth means no
// limit), keyed by normalized path+query (see NormalizeTarget), with their
// BFS depth. Only pages that exist, are on this host and are allowed by
// robots.txt for imgcrawl are counted.
func (s *Site) ExpectedPages(maxDepth int) map[string]int {
	out := make(map[string]int)
	for p, d := range s.depth {
		if within(d, maxDepth) {
			out[s.pageNorm(p)] = int(d)
		}
	}
	return out
}
