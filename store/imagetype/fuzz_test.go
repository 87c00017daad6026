package imagetype

import (
	"bytes"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// sniffFuzzSeeds adds every image fixture to f.
func sniffFuzzSeeds(f *testing.F) {
	for _, format := range []string{"png", "jpeg", "gif", "bmp", "tiff"} {
		f.Add(sniffTestEncode(f, format, 3, 2))
	}
	f.Add(sniffTestICO(f, [2]byte{16, 16}, [2]byte{0, 0}))
	f.Add(sniffTestAVIF(300, 200))
	f.Add(dimsTestBMP(12, 9, 4, 24))
	f.Add(dimsTestTIFF([3]uint32{256, 3, 33}, [3]uint32{257, 4, 44}))
	f.Add([]byte(`<svg width="3in" viewBox="0,0,4,3"/>`))
	f.Add([]byte("<!DOCTYPE html><html><body><svg/></body></html>"))
	files, err := filepath.Glob(filepath.Join("testdata", "sniff_*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzSniff(f *testing.F) {
	sniffFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, head []byte) {
		typ, ok := Sniff(head)
		if !ok {
			if typ != (Type{}) {
				t.Fatalf("ok=false with type %+v", typ)
			}
			return
		}
		found := false
		for _, it := range Types() {
			found = found || it == typ
		}
		if !found {
			t.Fatalf("Sniff returned unlisted type %+v", typ)
		}
		if w, h, ok := Dimensions(head, typ); ok && (w <= 0 || h <= 0 || w > maxDim || h > maxDim) {
			t.Fatalf("Dimensions = %d, %d for %s", w, h, typ.Name)
		}
	})
}

func FuzzDimensions(f *testing.F) {
	sniffFuzzSeeds(f)
	types := Types()
	f.Fuzz(func(t *testing.T, head []byte) {
		if len(head) > 64<<10 {
			return // the caller never passes more
		}
		for _, typ := range types {
			w, h, ok := Dimensions(head, typ)
			if ok != (w > 0 && h > 0) || w < 0 || h < 0 || w > maxDim || h > maxDim {
				t.Fatalf("Dimensions(%s) = %d, %d, %v", typ.Name, w, h, ok)
			}
		}
	})
}

// The header readers agree with the standard decoders wherever those
// succeed, and (for GIF, which has no decoder fallback) fail where they do.
func FuzzDimsHeaders(f *testing.F) {
	sniffFuzzSeeds(f)
	f.Add([]byte("GIF89a\x02\x00\x03\x00\x80\x00\x00abcdef"))
	f.Add([]byte("GIF87a\x02\x00\x03\x00\x81\x00\x00abcdefghijk"))
	f.Fuzz(func(t *testing.T, head []byte) {
		if len(head) > 64<<10 {
			return
		}
		c, err := gif.DecodeConfig(bytes.NewReader(head))
		w, h, ok := gifDims(head)
		if ok != (err == nil) || ok && (w != c.Width || h != c.Height) {
			t.Fatalf("gifDims = %d, %d, %v; gif.DecodeConfig = %d, %d, %v", w, h, ok, c.Width, c.Height, err)
		}
		c, err = jpeg.DecodeConfig(bytes.NewReader(head))
		if w, h, ok := jpegDims(head); ok != (err == nil) || ok && (w != c.Width || h != c.Height) {
			t.Fatalf("jpegDims = %d, %d, %v; jpeg.DecodeConfig = %d, %d, %v", w, h, ok, c.Width, c.Height, err)
		}
		c, err = png.DecodeConfig(bytes.NewReader(head))
		if w, h, ok := pngDims(head); err == nil && (!ok || w != c.Width || h != c.Height) {
			t.Fatalf("pngDims = %d, %d, %v; png.DecodeConfig = %d, %d", w, h, ok, c.Width, c.Height)
		}
	})
}
