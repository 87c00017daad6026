package imagetype

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// sniffTestImage returns a small w x h RGBA image with a gradient.
func sniffTestImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 40), uint8(y * 60), 90, 255})
		}
	}
	return img
}

// sniffTestEncode encodes a w x h image with the named standard encoder.
func sniffTestEncode(t testing.TB, format string, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	img := sniffTestImage(w, h)
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "bmp":
		err = bmp.Encode(&buf, img)
	case "tiff":
		err = tiff.Encode(&buf, img, nil)
	default:
		t.Fatalf("no encoder for %s", format)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sniffTestICO builds an icon file whose directory lists the given sizes
// (0 meaning 256), each entry pointing at the same small embedded PNG.
func sniffTestICO(t testing.TB, sizes ...[2]byte) []byte {
	t.Helper()
	pngData := sniffTestEncode(t, "png", 2, 2)
	var b bytes.Buffer
	b.Write([]byte{0, 0, 1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(sizes)))
	offset := uint32(6 + 16*len(sizes))
	for _, s := range sizes {
		b.Write([]byte{s[0], s[1], 0, 0})                 // width, height, colors, reserved
		binary.Write(&b, binary.LittleEndian, uint16(1))  // planes
		binary.Write(&b, binary.LittleEndian, uint16(32)) // bits per pixel
		binary.Write(&b, binary.LittleEndian, uint32(len(pngData)))
		binary.Write(&b, binary.LittleEndian, offset)
	}
	b.Write(pngData)
	return b.Bytes()
}

// sniffTestBox returns an ISO-BMFF box; a full box puts version and flags
// (vf) before the payload.
func sniffTestBox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

func sniffTestU32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

// sniffTestAVIF builds the header boxes of an AVIF file whose primary item 1
// is w x h, while item 2 (listed first in ipco) is a 64x64 tile.
func sniffTestAVIF(w, h uint32) []byte {
	ftyp := sniffTestBox("ftyp", []byte("mif1"), sniffTestU32(0), []byte("mif1miafavif"))
	ipco := sniffTestBox("ipco",
		sniffTestBox("ispe", sniffTestU32(0, 64, 64)),
		sniffTestBox("pixi", []byte{0, 0, 0, 0, 3, 8, 8, 8}),
		sniffTestBox("ispe", sniffTestU32(0, w, h)),
	)
	ipma := sniffTestBox("ipma", sniffTestU32(0, 2),
		[]byte{0, 2, 2, 0x81, 0x02}, // item 2: properties 1 (essential) and 2
		[]byte{0, 1, 2, 0x03, 0x02}, // item 1: properties 3 and 2
	)
	meta := sniffTestBox("meta", sniffTestU32(0),
		sniffTestBox("hdlr", sniffTestU32(0, 0), []byte("pict"), make([]byte, 13)),
		sniffTestBox("pitm", sniffTestU32(0), []byte{0, 1}),
		sniffTestBox("iprp", ipco, ipma),
	)
	return append(append(ftyp, meta...), sniffTestBox("mdat", []byte{0x12, 0})...)
}

// sniffTestFile reads a fixture from testdata.
func sniffTestFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string // "" for not an image
	}{
		{"png", sniffTestEncode(t, "png", 3, 2), "png"},
		{"jpeg", sniffTestEncode(t, "jpeg", 3, 2), "jpeg"},
		{"gif", sniffTestEncode(t, "gif", 3, 2), "gif"},
		{"bmp", sniffTestEncode(t, "bmp", 3, 2), "bmp"},
		{"tiff little-endian", sniffTestEncode(t, "tiff", 3, 2), "tiff"},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), "tiff"},
		{"ico", sniffTestICO(t, [2]byte{16, 16}), "ico"},
		{"ico header only", []byte{0, 0, 1, 0, 1, 0}, "ico"},
		{"webp lossy", sniffTestFile(t, "sniff_5x3_lossy.webp"), "webp"},
		{"webp lossless", sniffTestFile(t, "sniff_5x3_lossless.webp"), "webp"},
		{"webp extended", sniffTestFile(t, "sniff_7x4_alpha.webp"), "webp"},
		{"avif", sniffTestFile(t, "sniff_5x3.avif"), "avif"},
		{"avif with alpha", sniffTestFile(t, "sniff_7x4_alpha.avif"), "avif"},
		{"avif grid", sniffTestFile(t, "sniff_128x64_grid.avif"), "avif"},
		{"avif as compatible brand", sniffTestAVIF(8, 8), "avif"},
		{"avif sequence", sniffTestBox("ftyp", []byte("avis"), sniffTestU32(0), []byte("msf1")), "avif"},
		{"svg minimal", []byte("<svg/>"), "svg"},
		{"svg with namespace", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>`), "svg"},
		{"svg with bom and declaration", []byte("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<svg>"), "svg"},
		{"svg after comment", []byte("<!-- made by hand -->\n<svg viewBox='0 0 1 1'/>"), "svg"},
		{"svg with prefix", []byte(`<s:svg xmlns:s="http://www.w3.org/2000/svg"/>`), "svg"},
		{"svg preamble and entities", sniffTestFile(t, "sniff_illustrator.svg"), "svg"},
		{"svg cut inside root tag", []byte(`<?xml version="1.0"?><svg width="10" height="`), "svg"},
		{"svg cut after root name", []byte(`<svg`), "svg"},
		{"html", []byte("<!DOCTYPE html><html><head><title>x</title></head><body><img src=a.png></body></html>"), ""},
		{"html with inline svg", []byte("<!DOCTYPE html>\n<html><body><svg></svg></body></html>"), ""},
		{"html after comment", []byte("<!-- page --><html><body>hi</body></html>"), ""},
		{"xml feed", []byte(`<?xml version="1.0"?><rss version="2.0"></rss>`), ""},
		{"text mentioning svg", []byte("hello <svg> world"), ""},
		{"svg-like element name", []byte("<svgfoo/>"), ""},
		{"plain text", []byte("just some text\n"), ""},
		{"text starting with BM", []byte("BMW makes cars, and this text is long enough.\n"), ""},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ""},
		{"json", []byte(`{"image": "a.png"}`), ""},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), ""},
		{"mp4", sniffTestBox("ftyp", []byte("isom"), sniffTestU32(0x200), []byte("isomiso2mp41")), ""},
		{"heic", sniffTestBox("ftyp", []byte("heic"), sniffTestU32(0), []byte("mif1heic")), ""},
		{"avif brand as minor version", sniffTestBox("ftyp", []byte("mif1"), []byte("avif"), []byte("mif1")), ""},
		{"ftyp box too small", append(sniffTestU32(12), []byte("ftypavif\x00\x00\x00\x00")...), ""},
		{"ico without images", []byte{0, 0, 1, 0, 0, 0}, ""},
		{"cursor", []byte{0, 0, 2, 0, 1, 0}, ""},
		{"empty", nil, ""},
		{"truncated png signature", []byte("\x89PNG\r\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Sniff(tt.data)
			if ok != (tt.want != "") || got.Name != tt.want {
				t.Fatalf("Sniff = %+v, %v; want %q", got, ok, tt.want)
			}
			if !ok && got != (Type{}) {
				t.Errorf("not an image but type %+v", got)
			}
			if ok && !strings.HasPrefix(got.MIME, "image/") {
				t.Errorf("MIME %q", got.MIME)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	types := Types()
	var names []string
	for _, it := range types {
		names = append(names, it.Name)
		if it.MIME == "" || len(it.Ext) < 2 || it.Ext[0] != '.' || strings.ToLower(it.Ext) != it.Ext {
			t.Errorf("incomplete type %+v", it)
		}
	}
	if got := strings.Join(names, ","); got != "png,jpeg,gif,webp,bmp,tiff,ico,svg,avif" {
		t.Errorf("Types names = %s", got)
	}
	types[0].Name = "changed"
	if Types()[0].Name != "png" {
		t.Error("Types returned shared storage")
	}
}

func TestParseAccept(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // sorted comma-separated set, or "" for an error
		errHas   []string
	}{
		{"one", "png", "png", nil},
		{"aliases and case", "JPG, Tif ,gif", "gif,jpeg,tiff", nil},
		{"duplicates and empties", "png,,png,", "png", nil},
		{"all", "all", "avif,bmp,gif,ico,jpeg,png,svg,tiff,webp", nil},
		{"unknown entries", "png,heic,,PSD", "", []string{`"heic"`, `"PSD"`, "imagetype: ", "png, jpeg"}},
		{"empty", "", "", []string{"imagetype: ", "no image type"}},
		{"only commas", " , ", "", []string{"no image type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := ParseAccept(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseAccept(%q) = %v, want an error", tt.in, set)
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, it := range Types() {
				if set[it.Name] {
					names = append(names, it.Name)
				}
			}
			if len(names) != len(set) {
				t.Errorf("set %v has names that are not types", set)
			}
			slices.Sort(names)
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("ParseAccept(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func ExampleSniff() {
	head, err := os.ReadFile("testdata/sniff_5x3.avif")
	if err != nil {
		panic(err)
	}
	t, ok := Sniff(head)
	w, h, _ := Dimensions(head, t)
	fmt.Println(t.Name, t.MIME, t.Ext, ok, w, h)
	// Output: avif image/avif .avif true 5 3
}
