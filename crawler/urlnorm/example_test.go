package urlnorm_test

import (
	"fmt"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

func ExampleNormalize() {
	for _, raw := range []string{
		"HTTP://127.0.0.1:80/a/./b/../c.png?b=2&a=1#top",
		"http://0x7f.1/%7Euser/a%2fb",
		"mailto:someone@127.0.0.1",
	} {
		u, err := urlnorm.Normalize(raw)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// http://127.0.0.1/a/c.png?a=1&b=2
	// http://127.0.0.1/~user/a%2Fb
	// error: urlnorm: url "mailto:someone@127.0.0.1": unsupported scheme "mailto"
}

func ExampleResolve() {
	base, err := urlnorm.Normalize("http://127.0.0.1:8080/gallery/index.html")
	if err != nil {
		panic(err)
	}
	for _, ref := range []string{"photo.jpg", `..\img\a.png`, "//127.0.0.2/x.gif", "?page=2"} {
		u, err := urlnorm.Resolve(base, ref)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// http://127.0.0.1:8080/gallery/photo.jpg
	// http://127.0.0.1:8080/img/a.png
	// http://127.0.0.2/x.gif
	// http://127.0.0.1:8080/gallery/index.html?page=2
}

func ExampleResolver() {
	base, err := urlnorm.Normalize("http://127.0.0.1/articles/1.html")
	if err != nil {
		panic(err)
	}
	r := urlnorm.NewResolver(base)
	for _, ref := range []string{"2.html", "/img/cover.jpg", "data:image/gif;base64,R0lG"} {
		u, err := r.Resolve(ref)
		if err != nil {
			fmt.Println("skipped:", err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// http://127.0.0.1/articles/2.html
	// http://127.0.0.1/img/cover.jpg
	// skipped: urlnorm: url "data:image/gif;base64,R0lG": unsupported scheme "data"
}
