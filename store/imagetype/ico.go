package imagetype

import (
	"bytes"
	"encoding/binary"
)

// icoDims returns the size of the largest image in an ICO directory.
func icoDims(b []byte) (w, h int, ok bool) {
	if !isICO(b) {
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

// isICO checks the ICONDIR header and, when present, the first entry.
func isICO(b []byte) bool {
	if len(b) < 6 || !bytes.HasPrefix(b, []byte{0, 0, 1, 0}) {
		return false
	}
	if binary.LittleEndian.Uint16(b[4:]) == 0 {
		return false
	}
	if len(b) >= 6+16 {
		// The entry's reserved byte is 0 and its color planes 0 or 1.
		return b[9] == 0 && binary.LittleEndian.Uint16(b[10:]) <= 1
	}
	return true
}
