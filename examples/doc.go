// Package examples holds small programs that embed imgcrawl's packages.
// Each serves a tiny site of its own on 127.0.0.1 and imports only public
// packages, so it runs offline and builds when copied into another module:
//
//	go run ./examples/crawl   # crawl and print each image as it is saved
//	go run ./examples/get     # hand the engine a channel of image URLs
//	go run ./examples/hooks   # filter, request, response and CSS selector hooks
//	go run ./examples/sink    # save to a Sink of one's own, or to S3 (store/s3)
//
// The Example functions of package crawler (go doc crawler) are checked by
// go test.
package examples
