package imagetype

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color/palette"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"
)

// dimsTestJPEGExif returns a w x h JPEG with an APP1 (EXIF) segment of about
// 40 KB before its frame header.
func dimsTestJPEGExif(t testing.TB, w, h int) []byte {
	data := sniffTestEncode(t, "jpeg", w, h)
	app1 := make([]byte, 40000)
	copy(app1, "Exif\x00\x00")
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(app1)+2))
	out := append([]byte{}, data[:2]...) // SOI
	out = append(append(out, seg...), app1...)
	return append(out, data[2:]...)
}

// dimsTestPalettedPNG returns a w x h paletted PNG, whose PLTE chunk follows
// the IHDR.
func dimsTestPalettedPNG(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dimsTestBMP builds a BMP header with a DIB header of dibSize bytes.
func dimsTestBMP(dibSize uint32, w, h int32, bpp uint16) []byte {
	b := []byte("BM")
	b = binary.LittleEndian.AppendUint32(b, 14+dibSize)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 14+dibSize)
	b = binary.LittleEndian.AppendUint32(b, dibSize)
	if dibSize == 12 {
		b = binary.LittleEndian.AppendUint16(b, uint16(w))
		b = binary.LittleEndian.AppendUint16(b, uint16(h))
		b = binary.LittleEndian.AppendUint16(b, 1)
		return binary.LittleEndian.AppendUint16(b, bpp)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(h))
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, bpp)
	return append(b, make([]byte, int(dibSize)-16)...)
}

// dimsTestTIFF builds a big-endian TIFF whose only IFD holds the given
// (tag, type, value) entries.
func dimsTestTIFF(entries ...[3]uint32) []byte {
	b := []byte("MM\x00*\x00\x00\x00\x08")
	b = binary.BigEndian.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = binary.BigEndian.AppendUint16(b, uint16(e[0]))
		b = binary.BigEndian.AppendUint16(b, uint16(e[1]))
		b = binary.BigEndian.AppendUint32(b, 1)
		if e[1] == 3 {
			b = binary.BigEndian.AppendUint16(b, uint16(e[2]))
			b = append(b, 0, 0)
		} else {
			b = binary.BigEndian.AppendUint32(b, e[2])
		}
	}
	return binary.BigEndian.AppendUint32(b, 0)
}

func TestDimensions(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		typ   string
		w, h  int
		fails bool
	}{
		{"png", sniffTestEncode(t, "png", 13, 7), "png", 13, 7, false},
		{"png paletted, palette cut off", dimsTestPalettedPNG(t, 9, 4)[:40], "png", 9, 4, false},
		{"jpeg", sniffTestEncode(t, "jpeg", 13, 7), "jpeg", 13, 7, false},
		{"jpeg after exif", dimsTestJPEGExif(t, 10, 6), "jpeg", 10, 6, false},
		{"jpeg cut before its frame header", dimsTestJPEGExif(t, 10, 6)[:1024], "jpeg", 0, 0, true},
		{"gif", sniffTestEncode(t, "gif", 13, 7), "gif", 13, 7, false},
		{"bmp", sniffTestEncode(t, "bmp", 13, 7), "bmp", 13, 7, false},
		{"bmp 16-bit top-down, beyond x/image", dimsTestBMP(40, 5, -3, 16), "bmp", 5, 3, false},
		{"bmp os/2 header", dimsTestBMP(12, 9, 4, 24), "bmp", 9, 4, false},
		{"tiff", sniffTestEncode(t, "tiff", 13, 7), "tiff", 13, 7, false},
		{"tiff 4-bit, beyond x/image", dimsTestTIFF([3]uint32{256, 3, 33}, [3]uint32{257, 4, 44}, [3]uint32{258, 3, 4}), "tiff", 33, 44, false},
		{"tiff without height", dimsTestTIFF([3]uint32{256, 3, 33}), "tiff", 0, 0, true},
		{"ico largest entry", sniffTestICO(t, [2]byte{16, 16}, [2]byte{0, 0}, [2]byte{48, 32}), "ico", 256, 256, false},
		{"ico one entry", sniffTestICO(t, [2]byte{32, 24}), "ico", 32, 24, false},
		{"ico header only", []byte{0, 0, 1, 0, 1, 0}, "ico", 0, 0, true},
		{"webp lossy", sniffTestFile(t, "sniff_5x3_lossy.webp"), "webp", 5, 3, false},
		{"webp lossless", sniffTestFile(t, "sniff_5x3_lossless.webp"), "webp", 5, 3, false},
		{"webp extended", sniffTestFile(t, "sniff_7x4_alpha.webp"), "webp", 7, 4, false},
		{"avif", sniffTestFile(t, "sniff_5x3.avif"), "avif", 5, 3, false},
		{"avif with alpha", sniffTestFile(t, "sniff_7x4_alpha.avif"), "avif", 7, 4, false},
		{"avif grid", sniffTestFile(t, "sniff_128x64_grid.avif"), "avif", 128, 64, false},
		{"avif primary item, not first ispe", sniffTestAVIF(300, 200), "avif", 300, 200, false},
		{"avif ftyp only", sniffTestBox("ftyp", []byte("avif"), sniffTestU32(0)), "avif", 0, 0, true},
		{"svg illustrator", sniffTestFile(t, "sniff_illustrator.svg"), "svg", 240, 120, false},
		{"wrong type", sniffTestEncode(t, "png", 3, 2), "jpeg", 0, 0, true},
		{"unknown type", sniffTestEncode(t, "png", 3, 2), "heic", 0, 0, true},
		{"empty", nil, "png", 0, 0, true},
		{"gif zero size", []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00"), "gif", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, ok := Dimensions(tt.data, Type{Name: tt.typ})
			if ok == tt.fails || w != tt.w || h != tt.h {
				t.Errorf("Dimensions = %d, %d, %v; want %d, %d, %v", w, h, ok, tt.w, tt.h, !tt.fails)
			}
		})
	}
}

func TestDimensionsSVG(t *testing.T) {
	tests := []struct {
		name, svg string
		w, h      int
		ok        bool
	}{
		{"pixels", `<svg width="120" height="80px"/>`, 120, 80, true},
		{"rounded", `<svg width="10.6" height="0.2"/>`, 11, 1, true},
		{"absolute units", `<svg width="1in" height="2.54cm"/>`, 96, 96, true},
		{"viewBox only", `<svg viewBox="0 0 300 150"/>`, 300, 150, true},
		{"viewBox with commas", `<svg viewBox="0,0,30.5,15"/>`, 31, 15, true},
		{"percent falls back to viewBox", `<svg width="100%" height="100%" viewBox="-5 -5 64 32"/>`, 64, 32, true},
		{"width and viewBox ratio", `<svg width="200" viewBox="0 0 100 50"/>`, 200, 100, true},
		{"height and viewBox ratio", `<svg height="30" viewBox="0 0 100 50"/>`, 60, 30, true},
		{"single quotes and bom", "\xEF\xBB\xBF<svg height='5' width='7'>", 7, 5, true},
		{"huge but bounded", `<svg width="100000" height="100000"/>`, 100000, 100000, true},
		{"em units", `<svg width="3em" height="2em"/>`, 0, 0, false},
		{"no size", `<svg xmlns="http://www.w3.org/2000/svg"/>`, 0, 0, false},
		{"negative", `<svg width="-5" height="5"/>`, 0, 0, false},
		{"nan", `<svg width="NaN" height="5"/>`, 0, 0, false},
		{"infinity", `<svg width="Inf" height="Infinity"/>`, 0, 0, false},
		{"hex float", `<svg width="0x1p4" height="2"/>`, 0, 0, false},
		{"too large", `<svg width="1e300" height="5"/>`, 0, 0, false},
		{"bad viewBox", `<svg viewBox="0 0 0 10"/>`, 0, 0, false},
		{"cut inside the root tag", `<svg width="10" height="1`, 0, 0, false},
		{"not svg", `<html width="10" height="10">`, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, ok := Dimensions([]byte(tt.svg), sniffType("svg"))
			if w != tt.w || h != tt.h || ok != tt.ok {
				t.Errorf("Dimensions(%q) = %d, %d, %v; want %d, %d, %v", tt.svg, w, h, ok, tt.w, tt.h, tt.ok)
			}
		})
	}
}

// TestDimensionsPrefixes checks that a cut-off head never gives wrong
// dimensions: it gives the full file's, or ok=false.
func TestDimensionsPrefixes(t *testing.T) {
	files := map[string][]byte{
		"png":  sniffTestEncode(t, "png", 13, 7),
		"jpeg": sniffTestEncode(t, "jpeg", 13, 7),
		"gif":  sniffTestEncode(t, "gif", 13, 7),
		"bmp":  sniffTestEncode(t, "bmp", 13, 7),
		"tiff": sniffTestEncode(t, "tiff", 13, 7),
		"webp": sniffTestFile(t, "sniff_7x4_alpha.webp"),
		"avif": sniffTestFile(t, "sniff_128x64_grid.avif"),
		"svg":  sniffTestFile(t, "sniff_illustrator.svg"),
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			typ := sniffType(name)
			fw, fh, ok := Dimensions(data, typ)
			if !ok {
				t.Fatal("full file has no dimensions")
			}
			for n := range len(data) {
				if w, h, ok := Dimensions(data[:n], typ); ok && (w != fw || h != fh) {
					t.Fatalf("first %d bytes give %dx%d, full file %dx%d", n, w, h, fw, fh)
				}
			}
		})
	}
}

// TestDimensionsHuge checks that headers declaring enormous images report
// their sizes while allocating little: nothing is sized by the declaration.
func TestDimensionsHuge(t *testing.T) {
	pngData := sniffTestEncode(t, "png", 1, 1)
	binary.BigEndian.PutUint32(pngData[16:], 100000)
	binary.BigEndian.PutUint32(pngData[20:], 100000)
	binary.BigEndian.PutUint32(pngData[29:], crc32.ChecksumIEEE(pngData[12:29]))

	jpegData := sniffTestEncode(t, "jpeg", 1, 1)
	for i := 2; i+9 < len(jpegData); i += 2 + int(binary.BigEndian.Uint16(jpegData[i+2:])) {
		if jpegData[i+1] == 0xC0 { // SOF0: length, precision, height, width
			binary.BigEndian.PutUint16(jpegData[i+5:], 65500)
			binary.BigEndian.PutUint16(jpegData[i+7:], 65500)
			break
		}
	}
	gifData := sniffTestEncode(t, "gif", 1, 1)
	binary.LittleEndian.PutUint16(gifData[6:], 65535)
	binary.LittleEndian.PutUint16(gifData[8:], 65535)
	bmpData := sniffTestEncode(t, "bmp", 1, 1)
	binary.LittleEndian.PutUint32(bmpData[18:], 1<<20)
	binary.LittleEndian.PutUint32(bmpData[22:], 1<<20)
	webpData := bytes.Clone(sniffTestFile(t, "sniff_7x4_alpha.webp"))
	// The VP8X canvas size minus one, 24-bit little-endian; x/image caps the area at 2^31-1.
	copy(webpData[24:30], []byte{0x3F, 0x9C, 0x00, 0x4F, 0xC3, 0x00}) // 39999, 49999

	tests := []struct {
		name string
		data []byte
		typ  string
		w, h int
	}{
		{"png", pngData, "png", 100000, 100000},
		{"jpeg", jpegData, "jpeg", 65500, 65500},
		{"gif", gifData, "gif", 65535, 65535},
		{"bmp", bmpData, "bmp", 1 << 20, 1 << 20},
		{"tiff", dimsTestTIFF([3]uint32{256, 4, 1 << 20}, [3]uint32{257, 4, 1 << 20}, [3]uint32{258, 3, 8}), "tiff", 1 << 20, 1 << 20},
		{"webp", webpData, "webp", 40000, 50000},
		{"avif", sniffTestAVIF(100000, 100000), "avif", 100000, 100000},
		{"svg", []byte(`<svg width="100000" height="100000"/>`), "svg", 100000, 100000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := sniffType(tt.typ)
			if w, h, ok := Dimensions(tt.data, typ); !ok || w != tt.w || h != tt.h {
				t.Fatalf("Dimensions = %d, %d, %v; want %d, %d", w, h, ok, tt.w, tt.h)
			}
			const runs = 20
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range runs {
				Dimensions(tt.data, typ)
			}
			runtime.ReadMemStats(&after)
			if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 64<<10 {
				t.Errorf("allocated %d bytes per call", per)
			}
		})
	}
}

// jpegDims agrees with jpeg.DecodeConfig on what Go's encoder writes
// (no JFIF segment: the walk goes on to the first scan), on the same files
// with a JFIF APP0 and an Exif APP1 in front, and on every prefix of them;
// and it allocates nothing.
func TestDimsJPEGHeader(t *testing.T) {
	var files [][]byte
	for _, size := range [][2]int{{1, 1}, {17, 9}, {640, 480}} {
		for _, img := range []image.Image{
			image.NewGray(image.Rect(0, 0, size[0], size[1])),
			image.NewRGBA(image.Rect(0, 0, size[0], size[1])),
			image.NewYCbCr(image.Rect(0, 0, size[0], size[1]), image.YCbCrSubsampleRatio420),
		} {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, nil); err != nil {
				t.Fatal(err)
			}
			enc := buf.Bytes()
			jfif := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), enc[2:]...)
			exif := append([]byte("\xff\xd8\xff\xe1\x00\x0eExif\x00\x00MM\x00\x2a\x00\x00\xff\xff\xff"), enc[2:]...)
			files = append(files, enc, jfif, exif)
		}
	}
	for i, f := range files {
		for n := 0; n <= min(len(f), 700); n++ {
			head := f[:n]
			c, err := jpeg.DecodeConfig(bytes.NewReader(head))
			w, h, ok := jpegDims(head)
			if ok != (err == nil) || ok && (w != c.Width || h != c.Height) {
				t.Fatalf("file %d, %d bytes: jpegDims = %d, %d, %v; DecodeConfig = %d, %d, %v", i, n, w, h, ok, c.Width, c.Height, err)
			}
		}
		if _, _, ok := jpegDims(f); !ok {
			t.Errorf("file %d: no size", i)
		}
	}
	if a := testing.AllocsPerRun(100, func() { jpegDims(files[len(files)-1]) }); a != 0 {
		t.Errorf("jpegDims: %v allocs, want 0", a)
	}
}
