package urlnorm

import "testing"

func BenchmarkNormalize(b *testing.B) {
	inputs := []string{
		"https://www.example.com/posts/2024/05/story-7.html?utm_source=site&ref=home",
		"HTTP://CDN.Example.com:80/img/%7Ephoto/./a/../b.jpg#top",
		"https://www.example.com/",
		"https://bücher.example/ä?q=ü",
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Normalize(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkResolve(b *testing.B) {
	base := mustNormalize(b, "https://www.example.com/gallery/2024/index.html")
	refs := []string{"../img/a.jpg", "/static/site.css", "photo.jpg?size=large", "//cdn.example.com/x.webp"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Resolve(base, refs[i%len(refs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
