package imagetype

// jpegDims walks a JPEG's markers to its frame header (SOF0, SOF1 or
// SOF2), succeeding exactly when jpeg.DecodeConfig does, with the same
// size. Like DecodeConfig it skips stray bytes and fill bytes between
// markers, stops at the frame header of a JFIF file and at the first scan
// otherwise, and refuses what the Go decoder cannot decode: other frame
// types, precision other than 8 bits, and component layouts it lacks.
func jpegDims(b []byte) (w, h int, ok bool) {
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
			if found || !jpegFrameOK(seg) {
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

// jpegFrameOK checks a frame header's body as the Go decoder does: 8-bit
// samples and 1, 3 or 4 components with distinct ids, table numbers up to
// 3, and sampling factors the decoder supports.
func jpegFrameOK(seg []byte) bool {
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
