// Command sink saves a crawl's images somewhere other than a local folder.
// By default it uses a Sink of its own that files each image by type
// (png/, jpeg/...) under a folder, writing a temp file and renaming it, so
// that a name never holds a partial image. With -s3-endpoint it puts them
// into an S3-compatible bucket instead (package store/s3):
//
//	go run ./examples/sink -s3-endpoint 127.0.0.1:7070 -s3-bucket images \
//	    -s3-access KEY -s3-secret SECRET
//
// It serves its own small site on 127.0.0.1. Copy it anywhere: it imports
// only the public packages.
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/s3"
)

// byType is a store.Sink that files images under Dir by their type.
type byType struct{ Dir string }

func (s byType) Put(ctx context.Context, obj store.Object, r io.Reader) error {
	typ, _, _ := strings.Cut(strings.TrimPrefix(obj.ContentType, "image/"), "+") // svg+xml: svg
	dst := filepath.Join(s.Dir, typ, path.Base(obj.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: no file
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func main() {
	endpoint := flag.String("s3-endpoint", "", "S3 server host:port (default: a local folder by type)")
	bucket := flag.String("s3-bucket", "images", "S3 bucket, which must exist")
	access := flag.String("s3-access", "", "S3 access key")
	secret := flag.String("s3-secret", "", "S3 secret key")
	flag.Parse()

	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
			return
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/a.png"><img src="/b.png"><img src="/c.svg">`)
			return
		case "/c.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>`)
			return
		}
		img := image.NewGray(image.Rect(0, 0, 2, 2))
		img.Pix[0] = r.URL.Path[1]
		png.Encode(w, img)
	}))
	defer site.Close()

	work, err := os.MkdirTemp("", "imgcrawl-sink-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)

	var sink store.Sink = byType{Dir: filepath.Join(work, "by-type")}
	if *endpoint != "" {
		if sink, err = s3.New(s3.Config{Endpoint: *endpoint, Bucket: *bucket, AccessKey: *access,
			SecretKey: *secret, Prefix: "example/"}); err != nil {
			log.Fatal(err)
		}
	}
	c, err := crawler.New(crawler.Config{
		Seeds: []string{site.URL + "/"},
		Out:   filepath.Join(work, "crawl"), // the crawl's own files: temp files, manifest
		Sink:  sink,
		OnEvent: func(ev crawler.Event) {
			if ev.Kind == crawler.KindImage {
				fmt.Printf("%-9s %-30s %s\n", ev.Status, ev.Path, ev.ContentType)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	if *endpoint == "" {
		filepath.WalkDir(filepath.Join(work, "by-type"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(work, p)
				fmt.Println("stored", rel)
			}
			return err
		})
	}
}
