package extract

import (
	"slices"
	"strings"
	"testing"
)

// TestExtractDedupByWholeURL checks that only equal URLs are repeats: URLs
// differing in their query, escapes or user information alone are all kept,
// in document order.
func TestExtractDedupByWholeURL(t *testing.T) {
	page := mustNormalize(t, "https://www.example.com/dir/")
	doc := `<a href="/a?x=1">1</a><a href="/a?x=2">2</a><a href="/a?x=1#f">again</a>` +
		`<a href="/a/b">3</a><a href="/a%2Fb">4</a><a href="/a%2fb">again</a>` +
		`<a href="https://u@www.example.com/a">5</a><a href="https://v@www.example.com/a">6</a>` +
		`<a href="https://www.example.com/a">7</a><a href="https://u@www.example.com/a">again</a>` +
		`<a href="/a?y=1&x=2">8</a><a href="/a?x=2&y=1">again</a><a href="http://www.example.com/a?x=1">9</a>` +
		`<img src="/a?x=1"><img src="/a?x=1"><img src="/a?x=2">`
	ex, err := HTML(strings.NewReader(doc), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	wantLinks := []string{
		"https://www.example.com/a?x=1", "https://www.example.com/a?x=2",
		"https://www.example.com/a/b", "https://www.example.com/a%2Fb",
		"https://u@www.example.com/a", "https://v@www.example.com/a",
		"https://www.example.com/a", "https://www.example.com/a?x=2&y=1",
		"http://www.example.com/a?x=1",
	}
	if got := urlStrings(ex.Links); !slices.Equal(got, wantLinks) {
		t.Errorf("links\n got %q\nwant %q", got, wantLinks)
	}
	wantImages := []string{"https://www.example.com/a?x=1", "https://www.example.com/a?x=2"}
	if got := urlStrings(ex.Images); !slices.Equal(got, wantImages) {
		t.Errorf("images\n got %q\nwant %q", got, wantImages)
	}
}

// TestExtractResultLists checks that a list with nothing in it is nil, and
// that appending to one list (as the crawler appends what its hooks find)
// leaves the others as they are.
func TestExtractResultLists(t *testing.T) {
	page := mustNormalize(t, "https://www.example.com/")
	ex, err := HTML(strings.NewReader(`<a href="/p">p</a><a href="/p">again</a>`), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Images != nil || ex.Stylesheets != nil || len(ex.Links) != 1 {
		t.Fatalf("got links %v, images %#v, style sheets %#v; want one link and nil lists", ex.Links, ex.Images, ex.Stylesheets)
	}
	ex, err = HTML(strings.NewReader(`<a href="/p">p</a><a href="/p">again</a><img src="/i.png"><link rel=stylesheet href="/s.css"><img src="/i.png">`), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	images, sheets := urlStrings(ex.Images), urlStrings(ex.Stylesheets)
	extra := mustNormalize(t, "https://www.example.com/extra")
	ex.Links = append(ex.Links, extra, extra, extra)
	ex.Images = append(ex.Images, extra, extra)
	if got := urlStrings(ex.Images); !slices.Equal(got, append(images, extra.String(), extra.String())) {
		t.Errorf("images after appending: %q", got)
	}
	if got := urlStrings(ex.Stylesheets); !slices.Equal(got, sheets) {
		t.Errorf("style sheets after appending: %q, want %q", got, sheets)
	}
}
