package imagetype

import "encoding/binary"

// bmpDims reads the DIB header of a BMP variant x/image cannot decode.
func bmpDims(b []byte) (w, h int, ok bool) {
	if !isBMP(b) {
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

// isBMP accepts "BM" only when followed by a known DIB header size, since
// two letters alone match too much text.
func isBMP(b []byte) bool {
	if len(b) < 18 || b[0] != 'B' || b[1] != 'M' {
		return false
	}
	switch binary.LittleEndian.Uint32(b[14:]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}
