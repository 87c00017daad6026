package store

import (
	"bytes"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzRelPath(f *testing.F) {
	f.Add("example.com", "/a/b/photo.png", "", "", ".png", uint8(0))
	f.Add("Example.COM:8080", "/..%2F..%2Fescape.png", "id=3&s=l", "", ".jpg", uint8(0))
	f.Add("h", "/%2e%2e/%2e%2e/", "", "", "", uint8(1))
	f.Add("h", `/a\b/aux.png`, "", "../../etc/passwd", ".png", uint8(0))
	f.Add("[::1]:80", "/x%00.png/.imgcrawl/", "a?b=1", ".htaccess", ".gif", uint8(1))
	f.Add("h", "/"+strings.Repeat("ж", 200)+".png", strings.Repeat("q", 300), "", ".webp", uint8(0))
	f.Add(".imgcrawl", "/con/COM1. /x y.png.. ", "", "", "/../x", uint8(2))
	f.Add("h", "/\xff\xfe/\u202e/😀.svg", "x=%FF", "\x00", ".svg", uint8(0))
	f.Fuzz(func(t *testing.T, host, path, query, name, ext string, layout uint8) {
		l := []Layout{LayoutMirror, LayoutFlat, LayoutHash, ""}[layout%4]
		var sum [32]byte
		copy(sum[:], path)
		urls := []*url.URL{{Scheme: "http", Host: host, Path: path, RawQuery: query}}
		if u, err := url.Parse("http://" + host + path + "?" + query); err == nil {
			urls = append(urls, u)
		}
		if u, err := url.Parse(path); err == nil {
			urls = append(urls, u)
		}
		for _, u := range urls {
			rel := RelPath(l, u, name, ext, sum)
			layoutCheckRel(t, rel)
			if again := RelPath(l, u, name, ext, sum); again != rel {
				t.Fatalf("not deterministic: %q then %q", rel, again)
			}
			for n := 1; n <= 2; n++ {
				layoutCheckRel(t, WithSuffix(rel, n))
			}
		}
	})
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{
		"", ".", "..", "...", ".bashrc", "aux.png", "CON", "com¹.txt", "x\x00.png", "a/b\\c",
		"name. . ", "\xff\xfe", "фото.jpg", "👩‍💻.png", strings.Repeat("a", 300) + ".png",
		strings.Repeat("ж", 130), " .x", "_aux", "\u202egnp.exe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SanitizeName(s)
		nameCheckComponent(t, got)
		if again := SanitizeName(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if len(s) <= nameMaxBytes && len(got) > len(s)+1 {
			t.Errorf("short name %q grew to %q", s, got)
		}
	})
}

func FuzzContentDispositionName(f *testing.F) {
	for _, s := range []string{
		`attachment; filename="photo.png"`,
		`attachment; filename="../../etc/passwd"`,
		`attachment; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg`,
		`inline; filename*=UTF-8''..%2F..%5C.bashrc; filename=x`,
		`attachment; filename*0="a"; filename*1="b.png"`,
		`;;;`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		name, ok := ContentDispositionName(header)
		if !ok {
			if name != "" {
				t.Fatalf("ok=false with name %q", name)
			}
			return
		}
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
			t.Fatalf("unsafe base name %q", name)
		}
	})
}

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
			if typ != (ImageType{}) {
				t.Fatalf("ok=false with type %+v", typ)
			}
			return
		}
		found := false
		for _, it := range ImageTypes() {
			found = found || it == typ
		}
		if !found {
			t.Fatalf("Sniff returned unlisted type %+v", typ)
		}
		if w, h, ok := Dimensions(head, typ); ok && (w <= 0 || h <= 0 || w > dimsMax || h > dimsMax) {
			t.Fatalf("Dimensions = %d, %d for %s", w, h, typ.Name)
		}
	})
}

func FuzzDimensions(f *testing.F) {
	sniffFuzzSeeds(f)
	types := ImageTypes()
	f.Fuzz(func(t *testing.T, head []byte) {
		if len(head) > 64<<10 {
			return // the caller never passes more
		}
		for _, typ := range types {
			w, h, ok := Dimensions(head, typ)
			if ok != (w > 0 && h > 0) || w < 0 || h < 0 || w > dimsMax || h > dimsMax {
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
		w, h, ok := dimsGIFHeader(head)
		if ok != (err == nil) || ok && (w != c.Width || h != c.Height) {
			t.Fatalf("dimsGIFHeader = %d, %d, %v; gif.DecodeConfig = %d, %d, %v", w, h, ok, c.Width, c.Height, err)
		}
		c, err = jpeg.DecodeConfig(bytes.NewReader(head))
		if w, h, ok := dimsJPEGHeader(head); ok != (err == nil) || ok && (w != c.Width || h != c.Height) {
			t.Fatalf("dimsJPEGHeader = %d, %d, %v; jpeg.DecodeConfig = %d, %d, %v", w, h, ok, c.Width, c.Height, err)
		}
		c, err = png.DecodeConfig(bytes.NewReader(head))
		if w, h, ok := dimsPNGHeader(head); err == nil && (!ok || w != c.Width || h != c.Height) {
			t.Fatalf("dimsPNGHeader = %d, %d, %v; png.DecodeConfig = %d, %d", w, h, ok, c.Width, c.Height)
		}
	})
}
