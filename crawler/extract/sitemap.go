package extract

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

// The limits of ParseSitemap. The sitemaps protocol allows 50,000 URLs per
// file and Google's image extension 1,000 images per page; the byte size
// of a file (50 MiB uncompressed, says the protocol) is the caller's to cap.
const (
	SitemapMaxEntries = 50000  // <url> or <sitemap> entries (or lines) read from one file
	SitemapMaxImages  = 1000   // images kept per <url>
	SitemapMaxAllImgs = 100000 // images kept per file
	sitemapMaxLoc     = 8 << 10
)

// SitemapImageNS is the namespace of Google's image sitemap extension:
// <image:image><image:loc> entries, whatever prefix the file binds to it.
const SitemapImageNS = "http://www.google.com/schemas/sitemap-image/1.1"

// Sitemap is what a sitemap file lists: pages and their images (a
// <urlset>, or a text file of URLs), or more sitemap files (a
// <sitemapindex>). Every URL is absolute, http or https, and normalized
// (package urlnorm).
type Sitemap struct {
	Index    bool          // a <sitemapindex>: Sitemaps lists its files, Pages is empty
	Sitemaps []*url.URL    // the <sitemap><loc> of an index
	Pages    []SitemapPage // the <url> entries of a <urlset>, or the lines of a text file
	// Truncated is set when the file held more than SitemapMaxEntries
	// entries or SitemapMaxAllImgs images: those past the limit were not
	// read.
	Truncated bool
	// Bad counts the locations dropped because they are not http or https
	// URLs, or longer than 8 KiB.
	Bad int
}

// SitemapPage is one <url> entry of a sitemap.
type SitemapPage struct {
	URL    *url.URL   // its <loc>; nil when that is missing or bad
	Images []*url.URL // its <image:image><image:loc>, at most SitemapMaxImages
}

// ParseSitemap reads a sitemap file from r, already decompressed: an XML
// <urlset> or <sitemapindex> (in the sitemaps.org namespace or any other,
// as sites write them; images only in SitemapImageNS), or a text file of
// one URL per line. Locations are resolved against base, the file's URL.
// It reads no more than it needs and never fetches anything: the caller
// caps r's size. The XML encoding the file declares is honoured.
//
// A file that is neither, or XML that is not well formed, is an error, and
// so is r's own error (returned as it is); the Sitemap then holds the
// entries read before it. r is not closed.
// ParseSitemap is safe for concurrent use.
func ParseSitemap(r io.Reader, base *url.URL) (Sitemap, error) {
	src := &sitemapSource{r: r}
	br := bufio.NewReader(src)
	if !sitemapLooksXML(br) {
		s, err := parseTextSitemap(br)
		return s, src.cause(err)
	}
	p := &sitemapParser{d: xml.NewDecoder(br), res: urlnorm.NewResolver(base)}
	p.d.CharsetReader = charset.NewReaderLabel
	err := p.parse()
	if err != nil {
		err = fmt.Errorf("extract: %w", err)
	}
	return p.s, src.cause(err)
}

// sitemapSource reads the file and keeps the first error of r that is
// not io.EOF: a failed read (a size cap, a connection cut) is reported
// as it is, not as a malformed file.
type sitemapSource struct {
	r   io.Reader
	err error
}

func (s *sitemapSource) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// cause returns the read error when there was one, else err.
func (s *sitemapSource) cause(err error) error {
	if err != nil && s.err != nil {
		return s.err
	}
	return err
}

// sitemapLooksXML skips white space and a byte order mark and reports
// whether what follows starts with '<'.
func sitemapLooksXML(br *bufio.Reader) bool {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return true // empty: the XML parser says so
		}
		switch c {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF:
			continue
		}
		_ = br.UnreadByte()
		return c == '<'
	}
}

// ErrNotSitemap is wrapped by the error of ParseSitemap for a file that is
// not a sitemap at all (an HTML page, an empty file), rather than a broken
// one.
var ErrNotSitemap = errors.New("not a sitemap")

// errSitemapCut reports a file that ends inside an element.
var errSitemapCut = errors.New("the sitemap ends inside an element")

// errSitemapStop ends a parse at a limit; it is not reported.
var errSitemapStop = errors.New("limit reached")

// sitemapParser walks the XML tokens of one file.
type sitemapParser struct {
	d      *xml.Decoder
	res    urlnorm.Resolver
	s      Sitemap
	images int
}

// parse reads the root element and its entries.
func (p *sitemapParser) parse() error {
	root, err := p.start()
	if err != nil {
		return err
	}
	var entry string
	switch root.Name.Local {
	case "urlset":
		entry = "url"
	case "sitemapindex":
		entry, p.s.Index = "sitemap", true
	default:
		return fmt.Errorf("%w: the root element is <%s>, not <urlset> or <sitemapindex>", ErrNotSitemap, root.Name.Local)
	}
	err = p.children(func(el xml.StartElement) error {
		if el.Name.Local != entry || el.Name.Space == SitemapImageNS {
			return p.skip()
		}
		if len(p.s.Pages)+len(p.s.Sitemaps) >= SitemapMaxEntries {
			p.s.Truncated = true
			return errSitemapStop
		}
		if p.s.Index {
			return p.sitemapEntry()
		}
		return p.urlEntry()
	})
	if errors.Is(err, errSitemapStop) {
		return nil
	}
	return err
}

// start returns the root element.
func (p *sitemapParser) start() (xml.StartElement, error) {
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			return xml.StartElement{}, fmt.Errorf("%w: no root element", ErrNotSitemap)
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if el, ok := tok.(xml.StartElement); ok {
			return el, nil
		}
	}
}

// children calls fn for each child element of the element just started,
// until its end; fn must consume the child up to its end (skip).
func (p *sitemapParser) children(fn func(xml.StartElement) error) error {
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			return errSitemapCut
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// sitemapMaxNest is how deep the elements that skip passes over may nest:
// sitemaps are shallow, and each open element costs the decoder memory.
const sitemapMaxNest = 64

// skip reads up to the end of the element just started.
func (p *sitemapParser) skip() error {
	for depth := 0; ; {
		tok, err := p.d.Token()
		if err == io.EOF {
			return errSitemapCut
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > sitemapMaxNest {
				return fmt.Errorf("elements nested more than %d deep", sitemapMaxNest)
			}
		case xml.EndElement:
			if depth--; depth < 0 {
				return nil
			}
		}
	}
}

// sitemapEntry reads a <sitemap> of an index.
func (p *sitemapParser) sitemapEntry() error {
	return p.children(func(el xml.StartElement) error {
		if el.Name.Local != "loc" || el.Name.Space == SitemapImageNS {
			return p.skip()
		}
		u, err := p.loc()
		if u != nil {
			p.s.Sitemaps = append(p.s.Sitemaps, u)
		}
		return err
	})
}

// urlEntry reads a <url> of a urlset with its images.
func (p *sitemapParser) urlEntry() error {
	var page SitemapPage
	err := p.children(func(el xml.StartElement) error {
		switch {
		case el.Name.Local == "loc" && el.Name.Space != SitemapImageNS:
			u, err := p.loc()
			if u != nil && page.URL == nil {
				page.URL = u
			}
			return err
		case el.Name.Local == "image" && el.Name.Space == SitemapImageNS:
			return p.children(func(el xml.StartElement) error {
				if el.Name.Local != "loc" || el.Name.Space != SitemapImageNS {
					return p.skip()
				}
				return p.image(&page)
			})
		}
		return p.skip()
	})
	if page.URL != nil || len(page.Images) > 0 {
		p.s.Pages = append(p.s.Pages, page)
	}
	return err
}

// image reads an <image:loc> of page.
func (p *sitemapParser) image(page *SitemapPage) error {
	u, err := p.loc()
	if u == nil {
		return err
	}
	if len(page.Images) >= SitemapMaxImages || p.images >= SitemapMaxAllImgs {
		p.s.Truncated = p.s.Truncated || p.images >= SitemapMaxAllImgs
		return err
	}
	page.Images = append(page.Images, u)
	p.images++
	return err
}

// loc reads the text of the element just started, up to its end, and
// resolves it; nil (counted in Bad) when it is not an http(s) URL.
func (p *sitemapParser) loc() (*url.URL, error) {
	var text []byte
	long := false
	for depth := 0; ; {
		tok, err := p.d.Token()
		if err == io.EOF {
			return nil, errSitemapCut
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(text)+len(t) > sitemapMaxLoc {
				long = true
			} else if depth == 0 {
				text = append(text, t...)
			}
		case xml.StartElement:
			if depth++; depth > sitemapMaxNest {
				return nil, fmt.Errorf("elements nested more than %d deep", sitemapMaxNest)
			}
		case xml.EndElement:
			if depth--; depth < 0 {
				return p.resolve(string(bytes.TrimSpace(text)), long), nil
			}
		}
	}
}

// resolve resolves a location; nil (counted in Bad) when it is empty, too
// long or not an http(s) URL.
func (p *sitemapParser) resolve(ref string, long bool) *url.URL {
	if ref == "" {
		return nil
	}
	u, err := p.res.Resolve(ref)
	if long || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.s.Bad++
		return nil
	}
	return u
}

// parseTextSitemap reads a text sitemap: one URL per line. A first line
// that is not an http(s) URL means the file is not a sitemap.
func parseTextSitemap(br *bufio.Reader) (Sitemap, error) {
	p := &sitemapParser{res: urlnorm.NewResolver(nil)}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 4096), sitemapMaxLoc)
	for first := true; sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if len(p.s.Pages) >= SitemapMaxEntries {
			p.s.Truncated = true
			return p.s, nil
		}
		u := p.resolve(line, false)
		if u == nil && first {
			return Sitemap{}, fmt.Errorf("extract: %w: neither XML nor a list of URLs", ErrNotSitemap)
		}
		first = false
		if u != nil {
			p.s.Pages = append(p.s.Pages, SitemapPage{URL: u})
		}
	}
	if err := sc.Err(); err != nil {
		return p.s, fmt.Errorf("extract: %w", err)
	}
	return p.s, nil
}
