package imagetype

import "encoding/binary"

// avifDims reads the ispe (image spatial extents) property of the primary
// item of an AVIF file's meta box, or else the first ispe property found.
func avifDims(b []byte) (w, h int, ok bool) {
	var meta []byte
	bmffBoxes(b, func(typ string, body []byte) bool {
		if typ == "meta" && len(body) >= 4 {
			meta = body[4:] // skip the full box's version and flags
			return false
		}
		return true
	})
	primary := int64(-1)
	var ipco, ipma []byte
	bmffBoxes(meta, func(typ string, body []byte) bool {
		switch typ {
		case "pitm":
			primary = avifPrimary(body)
		case "iprp":
			bmffBoxes(body, func(typ string, body []byte) bool {
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
		if w, h, ok = avifItemDims(ipco, ipma, primary); ok {
			return w, h, true
		}
	}
	bmffBoxes(ipco, func(typ string, body []byte) bool {
		if typ == "ispe" {
			w, h, ok = ispeDims(body)
		}
		return !ok
	})
	return w, h, ok
}

// bmffBoxes calls fn with the type and body of each ISO-BMFF box in b, in
// order, until fn returns false. A box running past the end of b is cut
// short, since head may end early.
func bmffBoxes(b []byte, fn func(typ string, body []byte) bool) {
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

// avifPrimary returns the item ID in a pitm box body, or -1.
func avifPrimary(b []byte) int64 {
	switch {
	case len(b) >= 6 && b[0] == 0:
		return int64(binary.BigEndian.Uint16(b[4:]))
	case len(b) >= 8 && b[0] != 0:
		return int64(binary.BigEndian.Uint32(b[4:]))
	}
	return -1
}

// avifItemDims finds, through the ipma associations, the ispe property of
// item in ipco.
func avifItemDims(ipco, ipma []byte, item int64) (w, h int, ok bool) {
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
			bmffBoxes(ipco, func(typ string, body []byte) bool {
				if i++; i == idx && typ == "ispe" {
					w, h, ok = ispeDims(body)
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

// ispeDims reads an ispe box body: version and flags, width, height.
func ispeDims(b []byte) (w, h int, ok bool) {
	if len(b) < 12 {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint32(b[4:])), int(binary.BigEndian.Uint32(b[8:])), true
}

// isAVIF looks for brand avif or avis in a leading ftyp box.
func isAVIF(b []byte) bool {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return false
	}
	end := int64(binary.BigEndian.Uint32(b))
	switch {
	case end == 0 || end > int64(len(b)):
		end = int64(len(b)) // 0 means "to the end of the file"
	case end < 16:
		return false
	}
	for i := int64(8); i+4 <= end; i += 4 {
		if i == 12 {
			continue // minor version, not a brand
		}
		if brand := string(b[i : i+4]); brand == "avif" || brand == "avis" {
			return true
		}
	}
	return false
}
