package extract

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestDocumentSeesTheParsedPage: Options.Document is called once with the
// tree HTML walked and the base its references resolve against; not for a
// document the parser refuses (read from its tokens).
func TestDocumentSeesTheParsedPage(t *testing.T) {
	page := mustNormalize(t, "http://site.example/a/b.html")
	var calls int
	var text string
	var base *url.URL
	opt := Options{Document: func(doc *goquery.Document, b *url.URL) {
		calls++
		text, base = doc.Find("button.next").Text(), b
	}}
	html := `<base href="/list/"><img src="x.png"><button class="next" data-next="2">Next</button>`
	ex, err := opt.HTML(strings.NewReader(html), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || text != "Next" || base.String() != "http://site.example/list/" || base != ex.Base {
		t.Errorf("Document called %d times, saw %q, base %v (Result.Base %v)", calls, text, base, ex.Base)
	}
	calls = 0
	deep := strings.Repeat("<div>", 600) + `<img src="/deep.png">` + strings.Repeat("</div>", 600)
	ex, err = opt.HTML(strings.NewReader(deep), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 0 || len(ex.Images) != 1 {
		t.Errorf("on a refused document: Document called %d times, %d images found", calls, len(ex.Images))
	}
}
