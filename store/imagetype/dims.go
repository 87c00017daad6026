package imagetype

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// dimsMax bounds the width and height Dimensions reports, so that callers
// can multiply them without overflow.
const dimsMax = 1 << 30

// Dimensions returns the width and height of an image of type t from its
// first bytes, without decoding pixels: image.DecodeConfig-style header
// readers for PNG, JPEG and GIF, golang.org/x/image for WebP, BMP and TIFF
// (with a plain header read when x/image refuses a variant it cannot
// decode), the ICO directory (its largest entry), the primary item's ispe
// property for AVIF, and the width, height and viewBox attributes of an SVG
// root (best effort: absolute units only). A PNG declaring 100000x100000
// reports exactly that, and the memory used never depends on the declared
// size. ok is false when head is too short, malformed, or not of type t. A
// JPEG's size can sit far from the start, after EXIF data: pass up to 64 KiB.
func Dimensions(head []byte, t Type) (w, h int, ok bool) {
	switch t.Name {
	case "png":
		// The header alone gives what DecodeConfig gives when it succeeds,
		// without its allocations; DecodeConfig stays for odd files.
		w, h, ok = dimsPNGHeader(head)
		if !ok {
			w, h, ok = dimsConfig(png.DecodeConfig(bytes.NewReader(head)))
		}
	case "jpeg":
		// The marker walk gives exactly what DecodeConfig gives, without
		// the 10 KB decoder it allocates per call.
		w, h, ok = dimsJPEGHeader(head)
	case "gif":
		w, h, ok = dimsGIFHeader(head)
	case "webp":
		w, h, ok = dimsConfig(webp.DecodeConfig(bytes.NewReader(head)))
	case "bmp":
		w, h, ok = dimsConfig(bmp.DecodeConfig(bytes.NewReader(head)))
		if !ok {
			w, h, ok = dimsBMPHeader(head)
		}
	case "tiff":
		w, h, ok = dimsConfig(tiff.DecodeConfig(bytes.NewReader(head)))
		if !ok {
			w, h, ok = dimsTIFFHeader(head)
		}
	case "ico":
		w, h, ok = dimsICO(head)
	case "avif":
		w, h, ok = dimsAVIF(head)
	case "svg":
		w, h, ok = dimsSVG(head)
	}
	if !ok || w <= 0 || h <= 0 || w > dimsMax || h > dimsMax {
		return 0, 0, false
	}
	return w, h, true
}

func dimsConfig(c image.Config, err error) (w, h int, ok bool) {
	return c.Width, c.Height, err == nil
}

// dimsPNGHeader reads the IHDR chunk directly; png.DecodeConfig also needs
// the palette of a paletted image, which may lie beyond head.
func dimsPNGHeader(b []byte) (w, h int, ok bool) {
	if len(b) < 24 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || string(b[12:16]) != "IHDR" {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint32(b[16:])), int(binary.BigEndian.Uint32(b[20:])), true
}

// dimsGIFHeader reads the logical screen size, succeeding exactly when
// gif.DecodeConfig does (a known version, a complete screen descriptor and
// global color table) without building the palette DecodeConfig returns.
func dimsGIFHeader(b []byte) (w, h int, ok bool) {
	if len(b) < 13 || string(b[:6]) != "GIF87a" && string(b[:6]) != "GIF89a" {
		return 0, 0, false
	}
	if flags := b[10]; flags&0x80 != 0 && len(b) < 13+3<<(1+flags&7) {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint16(b[6:])), int(binary.LittleEndian.Uint16(b[8:])), true
}

// dimsJPEGHeader walks a JPEG's markers to its frame header (SOF0, SOF1 or
// SOF2), succeeding exactly when jpeg.DecodeConfig does, with the same
// size. Like DecodeConfig it skips stray bytes and fill bytes between
// markers, stops at the frame header of a JFIF file and at the first scan
// otherwise, and refuses what the Go decoder cannot decode: other frame
// types, precision other than 8 bits, and component layouts it lacks.
func dimsJPEGHeader(b []byte) (w, h int, ok bool) {
	if len(b) < 2 || b[0] != 0xff || b[1] != 0xd8 {
		return 0, 0, false
	}
	p := 2
	// need reports whether n more bytes are there.
	need := func(n int) bool { return n <= len(b)-p }
	jfif, found := false, false
	for {
		if !need(2) {
			return 0, 0, false
		}
		c0, c1 := b[p], b[p+1]
		p += 2
		for c0 != 0xff { // stray bytes before a marker are skipped
			if !need(1) {
				return 0, 0, false
			}
			c0, c1 = c1, b[p]
			p++
		}
		marker := c1
		if marker == 0 {
			continue // an escaped 0xff: stray data too
		}
		for marker == 0xff { // fill bytes
			if !need(1) {
				return 0, 0, false
			}
			marker = b[p]
			p++
		}
		switch {
		case marker == 0xd9: // end of image before any scan
			return 0, 0, false
		case 0xd0 <= marker && marker <= 0xd7: // restart markers carry no length
			continue
		}
		if !need(2) {
			return 0, 0, false
		}
		n := int(b[p])<<8 | int(b[p+1]) - 2
		p += 2
		if n < 0 {
			return 0, 0, false
		}
		if marker == 0xda { // start of scan: the header ends here
			return w, h, found
		}
		if !need(n) {
			return 0, 0, false
		}
		seg := b[p : p+n]
		p += n
		switch {
		case marker == 0xc0 || marker == 0xc1 || marker == 0xc2:
			if found || !dimsJPEGFrame(seg) {
				return 0, 0, false
			}
			found = true
			h, w = int(seg[1])<<8|int(seg[2]), int(seg[3])<<8|int(seg[4])
			if jfif {
				return w, h, true
			}
		case marker == 0xe0: // APP0: JFIF or not, the latest one decides
			if n >= 5 {
				jfif = string(seg[:5]) == "JFIF\x00"
			}
		case marker == 0xc4 || marker == 0xdb || marker == 0xdd || marker == 0xfe || 0xe1 <= marker && marker <= 0xef:
			// Huffman and quantization tables, restart interval, comments
			// and other application data: skipped.
		default:
			return 0, 0, false
		}
	}
}

// dimsJPEGFrame checks a frame header's body as the Go decoder does: 8-bit
// samples and 1, 3 or 4 components with distinct ids, table numbers up to
// 3, and sampling factors the decoder supports.
func dimsJPEGFrame(seg []byte) bool {
	var comps int
	switch len(seg) {
	case 6 + 3*1, 6 + 3*3, 6 + 3*4:
		comps = (len(seg) - 6) / 3
	default:
		return false
	}
	if seg[0] != 8 || int(seg[5]) != comps {
		return false
	}
	var hs, vs [4]int
	for i := range comps {
		c := seg[6+3*i:]
		for j := range i {
			if seg[6+3*j] == c[0] {
				return false
			}
		}
		if c[2] > 3 {
			return false
		}
		hv := c[1]
		h, v := int(hv>>4), int(hv&0x0f)
		if h < 1 || h > 4 || v < 1 || v > 4 || h == 3 || v == 3 {
			return false
		}
		switch comps {
		case 1:
			h, v = 1, 1
		case 3:
			if i == 0 && v == 4 || i == 1 && (hs[0]%h != 0 || vs[0]%v != 0) || i == 2 && (hs[1] != h || vs[1] != v) {
				return false
			}
		case 4:
			if i == 0 && hv != 0x11 && hv != 0x22 || (i == 1 || i == 2) && hv != 0x11 || i == 3 && (hs[0] != h || vs[0] != v) {
				return false
			}
		}
		hs[i], vs[i] = h, v
	}
	return true
}

// dimsBMPHeader reads the DIB header of a BMP variant x/image cannot decode.
func dimsBMPHeader(b []byte) (w, h int, ok bool) {
	if !sniffBMP(b) {
		return 0, 0, false
	}
	if binary.LittleEndian.Uint32(b[14:]) == 12 { // OS/2 BITMAPCOREHEADER
		if len(b) < 22 {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(b[18:])), int(binary.LittleEndian.Uint16(b[20:])), true
	}
	if len(b) < 26 {
		return 0, 0, false
	}
	w = int(int32(binary.LittleEndian.Uint32(b[18:])))
	h = int(int32(binary.LittleEndian.Uint32(b[22:])))
	if h < 0 {
		h = -h // a top-down bitmap
	}
	return w, h, true
}

// dimsTIFFHeader scans the first IFD for ImageWidth and ImageLength, for a
// TIFF variant x/image cannot decode (CMYK, floating point, 4-bit...).
func dimsTIFFHeader(b []byte) (w, h int, ok bool) {
	if len(b) < 8 {
		return 0, 0, false
	}
	var order binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 0, 0, false
	}
	off := uint64(order.Uint32(b[4:]))
	if off+2 > uint64(len(b)) {
		return 0, 0, false
	}
	n := uint64(order.Uint16(b[off:]))
	for i := uint64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(b)) {
			break
		}
		var v int
		switch order.Uint16(b[e+2:]) { // field type
		case 3: // SHORT
			v = int(order.Uint16(b[e+8:]))
		case 4: // LONG
			v = int(order.Uint32(b[e+8:]))
		default:
			continue
		}
		switch order.Uint16(b[e:]) { // tag
		case 256:
			w = v
		case 257:
			h = v
		}
	}
	return w, h, w > 0 && h > 0
}

// dimsICO returns the size of the largest image in an ICO directory.
func dimsICO(b []byte) (w, h int, ok bool) {
	if !sniffICO(b) {
		return 0, 0, false
	}
	n := int(binary.LittleEndian.Uint16(b[4:]))
	for i := 0; i < n && 6+16*(i+1) <= len(b); i++ {
		ew, eh := int(b[6+16*i]), int(b[6+16*i+1])
		if ew == 0 {
			ew = 256 // 0 stands for 256
		}
		if eh == 0 {
			eh = 256
		}
		if ew*eh > w*h {
			w, h, ok = ew, eh, true
		}
	}
	return w, h, ok
}

// dimsSVG reads the size of an SVG's root element: width and height in
// absolute units, completed or replaced by the viewBox.
func dimsSVG(head []byte) (w, h int, ok bool) {
	root, complete, svg := sniffSVGRoot(head)
	if !complete || !svg {
		return 0, 0, false
	}
	var fw, fh, vw, vh float64
	var wOK, hOK, vOK bool
	for _, a := range root.Attr {
		switch a.Name.Local {
		case "width":
			fw, wOK = dimsSVGLength(a.Value)
		case "height":
			fh, hOK = dimsSVGLength(a.Value)
		case "viewBox":
			vw, vh, vOK = dimsSVGViewBox(a.Value)
		}
	}
	switch {
	case wOK && hOK:
	case vOK && wOK:
		fh = fw * vh / vw
	case vOK && hOK:
		fw = fh * vw / vh
	case vOK:
		fw, fh = vw, vh
	default:
		return 0, 0, false
	}
	if !(fw < dimsMax && fh < dimsMax) { // also catches NaN
		return 0, 0, false
	}
	return max(1, int(math.Round(fw))), max(1, int(math.Round(fh))), true
}

// dimsSVGUnits converts absolute CSS units to pixels.
var dimsSVGUnits = map[string]float64{
	"": 1, "px": 1, "pt": 4.0 / 3, "pc": 16, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
}

// dimsSVGLength parses a positive length in absolute units ("120", "12.5px",
// "3in"); relative units such as "%" and "em" are refused.
func dimsSVGLength(s string) (float64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz%")
	scale, known := dimsSVGUnits[s[len(num):]]
	v, ok := dimsSVGNumber(num)
	return v * scale, known && ok
}

// dimsSVGViewBox returns the width and height of a "min-x min-y width
// height" viewBox.
func dimsSVGViewBox(s string) (w, h float64, ok bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n' })
	if len(f) != 4 {
		return 0, 0, false
	}
	w, okW := dimsSVGNumber(f[2])
	h, okH := dimsSVGNumber(f[3])
	return w, h, okW && okH
}

// dimsSVGNumber parses a finite, positive decimal number.
func dimsSVGNumber(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "xXnN_") { // no hex, NaN, Inf or digit separators
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v > 0 && v < dimsMax
}

// dimsAVIF reads the ispe (image spatial extents) property of the primary
// item of an AVIF file's meta box, or else the first ispe property found.
func dimsAVIF(b []byte) (w, h int, ok bool) {
	var meta []byte
	dimsBoxes(b, func(typ string, body []byte) bool {
		if typ == "meta" && len(body) >= 4 {
			meta = body[4:] // skip the full box's version and flags
			return false
		}
		return true
	})
	primary := int64(-1)
	var ipco, ipma []byte
	dimsBoxes(meta, func(typ string, body []byte) bool {
		switch typ {
		case "pitm":
			primary = dimsAVIFPrimary(body)
		case "iprp":
			dimsBoxes(body, func(typ string, body []byte) bool {
				switch typ {
				case "ipco":
					ipco = body
				case "ipma":
					ipma = body
				}
				return true
			})
		}
		return true
	})
	if primary >= 0 {
		if w, h, ok = dimsAVIFItem(ipco, ipma, primary); ok {
			return w, h, true
		}
	}
	dimsBoxes(ipco, func(typ string, body []byte) bool {
		if typ == "ispe" {
			w, h, ok = dimsISPE(body)
		}
		return !ok
	})
	return w, h, ok
}

// dimsBoxes calls fn with the type and body of each ISO-BMFF box in b, in
// order, until fn returns false. A box running past the end of b is cut
// short, since head may end early.
func dimsBoxes(b []byte, fn func(typ string, body []byte) bool) {
	for len(b) >= 8 {
		size, hdr := uint64(binary.BigEndian.Uint32(b)), uint64(8)
		switch size {
		case 0: // to the end of the enclosing data
			size = uint64(len(b))
		case 1: // a 64-bit size follows the type
			if len(b) < 16 {
				return
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < hdr {
			return
		}
		end := min(size, uint64(len(b)))
		if !fn(string(b[4:8]), b[hdr:end]) {
			return
		}
		b = b[end:]
	}
}

// dimsAVIFPrimary returns the item ID in a pitm box body, or -1.
func dimsAVIFPrimary(b []byte) int64 {
	switch {
	case len(b) >= 6 && b[0] == 0:
		return int64(binary.BigEndian.Uint16(b[4:]))
	case len(b) >= 8 && b[0] != 0:
		return int64(binary.BigEndian.Uint32(b[4:]))
	}
	return -1
}

// dimsAVIFItem finds, through the ipma associations, the ispe property of
// item in ipco.
func dimsAVIFItem(ipco, ipma []byte, item int64) (w, h int, ok bool) {
	if len(ipma) < 8 {
		return 0, 0, false
	}
	version, wide := ipma[0], ipma[3]&1 == 1
	entries := binary.BigEndian.Uint32(ipma[4:])
	p := ipma[8:]
	for range entries {
		var id int64
		if version < 1 && len(p) >= 3 {
			id, p = int64(binary.BigEndian.Uint16(p)), p[2:]
		} else if version >= 1 && len(p) >= 5 {
			id, p = int64(binary.BigEndian.Uint32(p)), p[4:]
		} else {
			return 0, 0, false
		}
		n := int(p[0])
		p = p[1:]
		for range n {
			var idx int
			if wide && len(p) >= 2 {
				idx, p = int(binary.BigEndian.Uint16(p)&0x7fff), p[2:]
			} else if !wide && len(p) >= 1 {
				idx, p = int(p[0]&0x7f), p[1:]
			} else {
				return 0, 0, false
			}
			if id != item {
				continue
			}
			i := 0 // property indices count from 1
			dimsBoxes(ipco, func(typ string, body []byte) bool {
				if i++; i == idx && typ == "ispe" {
					w, h, ok = dimsISPE(body)
				}
				return i < idx
			})
			if ok {
				return w, h, true
			}
		}
	}
	return 0, 0, false
}

// dimsISPE reads an ispe box body: version and flags, width, height.
func dimsISPE(b []byte) (w, h int, ok bool) {
	if len(b) < 12 {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint32(b[4:])), int(binary.BigEndian.Uint32(b[8:])), true
}
