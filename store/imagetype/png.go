package imagetype

import (
	"bytes"
	"encoding/binary"
)

// pngDims reads the IHDR chunk directly; png.DecodeConfig also needs
// the palette of a paletted image, which may lie beyond head.
func pngDims(b []byte) (w, h int, ok bool) {
	if len(b) < 24 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || string(b[12:16]) != "IHDR" {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint32(b[16:])), int(binary.BigEndian.Uint32(b[20:])), true
}
