package imagetype

import "encoding/binary"

// tiffDims scans the first IFD for ImageWidth and ImageLength, for a
// TIFF variant x/image cannot decode (CMYK, floating point, 4-bit...).
func tiffDims(b []byte) (w, h int, ok bool) {
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
