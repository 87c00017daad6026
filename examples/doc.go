// Package examples holds small programs that embed imgcrawl's packages. Each
// runs offline against the bundled test site served on 127.0.0.1:
//
//	go run ./examples/crawl   # crawl and print each image as it is saved
//	go run ./examples/get     # hand the engine a channel of image URLs
package examples
