package s3_test

import (
	"context"
	"log"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store/s3"
)

// A crawl that puts its images into a bucket, under a prefix of its own.
// (Not run by go test: it needs a server; the tests start one.)
func ExampleNew() {
	sink, err := s3.New(s3.Config{
		Endpoint:  "s3.eu-west-1.amazonaws.com",
		Secure:    true,
		Region:    "eu-west-1",
		AccessKey: "AKIA...",
		SecretKey: "...",
		Bucket:    "my-images",
		Prefix:    "crawls/example.com/",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := sink.Check(ctx); err != nil {
		log.Fatal(err) // no such bucket, wrong keys: say so before crawling
	}
	c, err := crawler.New(crawler.Config{
		Seeds: []string{"https://example.com/"},
		Out:   "crawl-state", // temp files, manifest and state stay local
		Sink:  sink,
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
