package extract

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// deepPage is a page whose links and images sit above and below n nested
// <div>s, with its expected links and images.
func deepPage(n int) (page string, links, images []string) {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta property="og:image" content="/og.jpg">` +
		`<style>body{background:url(/head-bg.png)}</style></head><body>` +
		`<a href="/top.html">top</a><img src="/top.png">`)
	b.WriteString(strings.Repeat("<div>", n))
	b.WriteString(`<a href="/bottom.html">bottom</a><picture><source srcset="/b.avif"><img src="/b.jpg"></picture>` +
		`<img srcset="/b-1x.png 1x, /b-2x.png 2x"><div style="background:url('/div-bg.png')" data-src="/lazy.jpg"></div>` +
		`<noscript><img src="/noscript.png"></noscript><svg><image xlink:href="/svg.png"/></svg><image src="/image.png">`)
	b.WriteString(strings.Repeat("</div>", n))
	b.WriteString(`<a href="/after.html">after</a><img src="/after.png"></body></html>`)
	const s = "https://www.example.com"
	links = []string{s + "/top.html", s + "/bottom.html", s + "/after.html"}
	images = []string{s + "/og.jpg", s + "/head-bg.png", s + "/top.png", s + "/b.avif", s + "/b.jpg", s + "/b-1x.png",
		s + "/b-2x.png", s + "/div-bg.png", s + "/lazy.jpg", s + "/noscript.png", s + "/svg.png", s + "/image.png", s + "/after.png"}
	return b.String(), links, images
}

// TestExtractDeepNesting: a page nested deeper than the parser allows still
// yields every link and image it names, above, inside and below the nesting.
func TestExtractDeepNesting(t *testing.T) {
	page := mustNormalize(t, "https://www.example.com/deep.html")
	for _, n := range []int{100, 50000} { // the parser's tree, then the tokens
		body, wantLinks, wantImages := deepPage(n)
		ex, err := HTML(strings.NewReader(body), "text/html", page)
		if err != nil {
			t.Fatalf("%d nested divs: %v", n, err)
		}
		if got := urlStrings(ex.Links); !slices.Equal(got, wantLinks) {
			t.Errorf("%d nested divs: Links:\n%s", n, diff(got, wantLinks))
		}
		if got := urlStrings(ex.Images); !slices.Equal(got, wantImages) {
			t.Errorf("%d nested divs: Images:\n%s", n, diff(got, wantImages))
		}
	}
}

// TestExtractTokensMatchTree: the token walk finds what the tree walk
// finds, in the same order, on the fixture, the cases and markup whose tree
// differs from its tags. (Not tracked: SVG and MathML integration points,
// where the parser takes tags as HTML again; there the token walk takes an
// <image href> as SVG's, so it finds one more image.)
func TestExtractTokensMatchTree(t *testing.T) {
	fixture, err := os.ReadFile("testdata/extract_page.html")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{"fixture": string(fixture), "bench page": benchPage()}
	for _, tt := range extractCases {
		docs[tt.name] = tt.html
	}
	for i, doc := range []string{
		"<style/>a{b:url(s.png)}</style><img src=after.png>",
		"<svg><style/><image href=i.png><style>x{y:url(z.png)}</style></svg><image src=img.png>",
		"<noscript/><img src=n.png></noscript><picture/><source srcset=p.png>",
		"<svg><a xlink:href=x.html href=svg.html></a></svg><math><image src=m.png></math>",
		"<table><tr><td style='background:url(td.png)'><a href=in-table.html>x</a></table>",
		"<iframe src=f.html><img src=not-an-element.png></iframe><textarea><img src=t.png></textarea>",
		"<picture><source srcset='a 1x, b 2x'><img src=c data-src=d></picture><picture><img src=e></picture><img srcset='f 9w'>",
		"<script type='application/ld+json'/>{\"image\":\"j.png\"}</script><svg><script type=application/ld+json>{\"image\":\"s.png\"}</script></svg>",
		"<meta http-equiv=refresh content='x'><noscript><meta http-equiv=refresh content='0;url=r.html'></noscript>",
		"<link rel=icon href=i.ico><object data=o.svg></object><embed src=e.png><meta itemprop=image content=m.png><div data-bgset='a | b 2x' data-bg=url(c)>",
	} {
		docs[fmt.Sprint("markup ", i)] = doc
	}
	for name, doc := range docs {
		root, err := html.ParseWithOptions(strings.NewReader(doc), html.ParseOptionEnableScripting(false))
		if err != nil {
			t.Fatal(err)
		}
		tree := &walker{}
		for _, n := range collectNodes(root) {
			tree.element(n)
		}
		toks := &walker{}
		if err := toks.tokens(strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(toks.refs, tree.refs) || toks.baseHref != tree.baseHref || toks.hasBase != tree.hasBase ||
			toks.refresh != tree.refresh || toks.groups != tree.groups {
			t.Errorf("%s: tokens found %v (base %q, refresh %q, %d groups), the tree %v (base %q, refresh %q, %d groups)", name,
				toks.refs, toks.baseHref, toks.refresh, toks.groups, tree.refs, tree.baseHref, tree.refresh, tree.groups)
		}
	}
}

// collectNodes lists the element nodes under n in document order.
func collectNodes(n *html.Node) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode {
			out = append(out, d)
		}
	}
	return out
}

// TestExtractDeepNestingReadError: a read error after the parser gave up
// is an error, as it is for any page.
func TestExtractDeepNestingReadError(t *testing.T) {
	boom := errors.New("boom")
	body := io.MultiReader(strings.NewReader(strings.Repeat("<div>", 5000)), failingReader{boom})
	if _, err := HTML(body, "text/html", mustNormalize(t, "http://site.example/")); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
}

func TestSpoolReplays(t *testing.T) {
	src := strings.Repeat("0123456789", 100000) // 1 MB: chunks of 4 KiB to 1 MiB
	sp := &spool{r: strings.NewReader(src)}
	head := make([]byte, 600001)
	if _, err := io.ReadFull(sp, head); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(sp.replay())
	if err != nil || string(all) != src {
		t.Fatalf("replay gave %d bytes (%v), want the %d read and the rest", len(all), err, len(src))
	}
}

// FuzzExtractTokens walks the tokens of any document, as HTML does for one
// nested deeper than the parser allows (TestExtractDeepNesting checks that
// it does): no panic, no error on an in-memory body, and the guarantees of
// the tree walk. It calls the walk directly, since a document that makes
// the parser give up costs a few milliseconds to parse first.
func FuzzExtractTokens(f *testing.F) {
	fixture, err := os.ReadFile("testdata/extract_page.html")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte("<style>a{b:url(x.png)}"))
	f.Add([]byte("<svg><title><image href=a.png></title><style>@import url(y)</svg><math><image src=m.png>"))
	f.Add([]byte("<picture/><source srcset='a.png 1x'></picture><noscript><img src=n.png></noscript><![CDATA[x]]>"))
	f.Add([]byte("<picture><picture><img srcset='a 2x'></picture><source srcset=b></picture><script type=application/ld+json>[{\"image\":{\"url\":\"c\"}}]"))
	page := mustNormalize(f, "https://www.example.com/dir/")
	f.Fuzz(func(t *testing.T, body []byte) {
		w := &walker{}
		if err := w.tokens(strings.NewReader(string(body))); err != nil {
			t.Fatalf("tokens failed on an in-memory body: %v", err)
		}
		checkResult(t, w.result(page, nil, Options{}))
		checkResult(t, w.result(page, nil, Options{Largest: true}))
	})
}
