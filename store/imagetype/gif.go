package imagetype

import "encoding/binary"

// gifDims reads the logical screen size, succeeding exactly when
// gif.DecodeConfig does (a known version, a complete screen descriptor and
// global color table) without building the palette DecodeConfig returns.
func gifDims(b []byte) (w, h int, ok bool) {
	if len(b) < 13 || string(b[:6]) != "GIF87a" && string(b[:6]) != "GIF89a" {
		return 0, 0, false
	}
	if flags := b[10]; flags&0x80 != 0 && len(b) < 13+3<<(1+flags&7) {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint16(b[6:])), int(binary.LittleEndian.Uint16(b[8:])), true
}
