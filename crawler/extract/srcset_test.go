package extract

import (
	"slices"
	"testing"
)

func TestParseSrcset(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"density descriptors", "a.png 1x, b.png 2x", []string{"a.png", "b.png"}},
		{"width descriptors", "small.jpg 480w, large.jpg 1080w", []string{"small.jpg", "large.jpg"}},
		{"no descriptor", "only.png", []string{"only.png"}},
		{"no descriptors, comma separated", "a.png, b.png", []string{"a.png", "b.png"}},
		{"comma inside URL", "img.php?a=1,2 2x, b.png 1x", []string{"img.php?a=1,2", "b.png"}},
		{"comma inside URL without descriptor", "img.php?a=1,2, b.png", []string{"img.php?a=1,2", "b.png"}},
		{"no space after comma joins URLs", "a.png,b.png", []string{"a.png,b.png"}},
		{"trailing commas end a URL", "a.png,,, b.png", []string{"a.png", "b.png"}},
		{"odd whitespace", " \t\n a.png \f 1x \r\n,\n\tb.png\t2x \n", []string{"a.png", "b.png"}},
		{"leading and trailing commas", ", , a.png 1x ,,", []string{"a.png"}},
		{"descriptor with parentheses", "a.png (foo, bar) 1x, b.png", []string{"a.png", "b.png"}},
		{"invalid descriptors still yield the URL", "a.png 2x 3x, b.png foo", []string{"a.png", "b.png"}},
		{"absolute URLs", "https://cdn.example/a.jpg 1x, //cdn.example/b.jpg 2x", []string{"https://cdn.example/a.jpg", "//cdn.example/b.jpg"}},
		{"data URI with comma", "data:image/png;base64,AAAA 1x, b.png 2x", []string{"data:image/png;base64,AAAA", "b.png"}},
		{"non-ASCII", "фото.jpg 1x, 写真.png 2x", []string{"фото.jpg", "写真.png"}},
		{"empty", "", nil},
		{"only whitespace and commas", " ,\t, \n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range parseSrcset(tt.in) {
				got = append(got, c.url)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("parseSrcset(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
