package extract

import (
	"slices"
	"testing"
)

func TestCSSURLs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"unquoted", "background: url(a.png)", []string{"a.png"}},
		{"double quoted", `background: url("a b.png")`, []string{"a b.png"}},
		{"single quoted", `background: url('a.png')`, []string{"a.png"}},
		{"whitespace inside parentheses", "background: url(  a.png \n )", []string{"a.png"}},
		{"whitespace around quoted", "background: url( 'a.png' )", []string{"a.png"}},
		{"function name is case-insensitive", "background: URL(a.png) Url(b.png)", []string{"a.png", "b.png"}},
		{"several in one declaration", "background: url(a.png), url(b.png) no-repeat", []string{"a.png", "b.png"}},
		{"escaped parenthesis unquoted", `url(a\)b.png)`, []string{"a)b.png"}},
		{"escaped quote in string", `url("a\"b.png")`, []string{`a"b.png`}},
		{"hex escape with space", `url(caf\e9 .png)`, []string{"café.png"}},
		{"hex escape six digits", `url(\000041.png)`, []string{"A.png"}},
		{"line continuation in string", "url(\"a\\\nb.png\")", []string{"ab.png"}},
		{"data URI skipped", "url(data:image/png;base64,AAAA) url('DATA:x') url(b.png)", []string{"b.png"}},
		{"fragment reference skipped", "filter: url(#blur); mask: url('#m')", nil},
		{"empty skipped", "url() url('') url(\"  \")", nil},
		{"comment ignored", "/* url(c.png) */ background: url(a.png) /* unterminated url(d.png)", []string{"a.png"}},
		{"image-set strings", `background-image: image-set("a.png" 1x, 'b.png' 2x)`, []string{"a.png", "b.png"}},
		{"webkit image-set with url", "-webkit-image-set(url(a.png) 1x, url(b.png) 2x)", []string{"a.png", "b.png"}},
		{"image-set type() string skipped", `image-set("a.avif" type("image/avif"), "a.jpg" type('image/jpeg'))`, []string{"a.avif", "a.jpg"}},
		{"strings outside image-set skipped", `content: "x.png"; font-family: 'y.png'`, nil},
		{"import skipped", `@import url("print.css") print; @import "x.css"; body{background:url(a.png)}`, []string{"a.png"}},
		{"namespace skipped", `@namespace svg url(http://www.w3.org/2000/svg); a{background:url(a.png)}`, []string{"a.png"}},
		{"font-face skipped", "@font-face { font-family: X; src: url(f.woff2) format('woff2'), url(f.woff); } p { background: url(p.png) }", []string{"p.png"}},
		{"media block kept", "@media (min-width: 10px) { a { background: url(m.png) } }", []string{"m.png"}},
		{"other function is not url", "myurl(a.png) background: x-url(b.png)", nil},
		{"bad url with quote skipped", `url(a"b.png) url(c.png)`, []string{"c.png"}},
		{"bad url with inner space skipped", "url(a b.png) url(c.png)", []string{"c.png"}},
		{"bad string with newline skipped", "url(\"a\nb.png\") url(c.png)", []string{"c.png"}},
		{"unterminated url at EOF", "url(a.png", []string{"a.png"}},
		{"unterminated string at EOF", "url('a.png", []string{"a.png"}},
		{"absolute URLs", "url(https://cdn.example/a.png) url(//cdn.example/b.png)", []string{"https://cdn.example/a.png", "//cdn.example/b.png"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cssURLs(tt.in); !slices.Equal(got, tt.want) {
				t.Fatalf("cssURLs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
