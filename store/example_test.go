package store_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// A 1x1 PNG.
var onePixelPNG, _ = hex.DecodeString("89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
	"1f15c4890000000d49444154789c63f8cfc0f01f0005000201a1f1aa0a0000000049454e44ae426082")

// Each layout names the same image differently: mirror keeps the host and
// path, flat only the file name, hash the content's SHA-256. The extension
// always follows the sniffed type, whatever the URL says.
func ExampleLayout() {
	u, _ := url.Parse("https://Example.com:8443/gallery/img.php?id=3&size=large")
	for _, l := range []store.Layout{store.LayoutMirror, store.LayoutFlat, store.LayoutHash} {
		dir, _ := os.MkdirTemp("", "layout")
		w, err := store.NewWriter(store.WriterConfig{Dir: dir, Layout: l})
		if err != nil {
			fmt.Println(err)
			return
		}
		res, err := w.Save(context.Background(), store.Image{URL: u, ContentLength: -1}, bytes.NewReader(onePixelPNG))
		fmt.Println(res.Status, res.Path, err)
		os.RemoveAll(dir)
	}
	// Output:
	// saved example.com_8443/gallery/img.php_id=3_size=large.png <nil>
	// saved img.php_id=3_size=large.png <nil>
	// saved ac/22/ac221d252e6131d49d3a6f4e05d35a3520f454f41b523eded5814e910bac8e16.png <nil>
}

// printSink is a Sink that prints what it is given.
type printSink struct{}

func (printSink) Put(ctx context.Context, obj store.Object, r io.Reader) error {
	n, err := io.Copy(io.Discard, r)
	fmt.Printf("put %s (%s, %d of %d bytes)\n", obj.Name, obj.ContentType, n, obj.Size)
	return err
}

// With a Sink, a Writer still streams, sniffs and hashes each image into a
// temp file under Dir, then hands it to the sink whole, once per content.
func ExampleWriterConfig_sink() {
	dir, _ := os.MkdirTemp("", "sink")
	defer os.RemoveAll(dir)
	w, err := store.NewWriter(store.WriterConfig{Dir: dir, Layout: store.LayoutFlat, Sink: printSink{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, raw := range []string{"https://example.com/a.gif", "https://example.com/b.gif"} {
		u, _ := url.Parse(raw)
		img := store.Image{Key: state.KeyOf(raw), URL: u, ContentLength: -1}
		res, err := w.Save(context.Background(), img, bytes.NewReader(onePixelPNG))
		fmt.Println(res.Status, res.Path, err)
	}
	// Output:
	// put a.png (image/png, 70 of 70 bytes)
	// saved a.png <nil>
	// duplicate a.png <nil>
}
