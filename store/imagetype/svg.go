package imagetype

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
)

// svgDims reads the size of an SVG's root element: width and height in
// absolute units, completed or replaced by the viewBox.
func svgDims(head []byte) (w, h int, ok bool) {
	root, complete, svg := svgRoot(head)
	if !complete || !svg {
		return 0, 0, false
	}
	var fw, fh, vw, vh float64
	var wOK, hOK, vOK bool
	for _, a := range root.Attr {
		switch a.Name.Local {
		case "width":
			fw, wOK = svgLength(a.Value)
		case "height":
			fh, hOK = svgLength(a.Value)
		case "viewBox":
			vw, vh, vOK = svgViewBox(a.Value)
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
	if !(fw < maxDim && fh < maxDim) { // also catches NaN
		return 0, 0, false
	}
	return max(1, int(math.Round(fw))), max(1, int(math.Round(fh))), true
}

// svgUnits converts absolute CSS units to pixels.
var svgUnits = map[string]float64{
	"": 1, "px": 1, "pt": 4.0 / 3, "pc": 16, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
}

// svgLength parses a positive length in absolute units ("120", "12.5px",
// "3in"); relative units such as "%" and "em" are refused.
func svgLength(s string) (float64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz%")
	scale, known := svgUnits[s[len(num):]]
	v, ok := svgNumber(num)
	return v * scale, known && ok
}

// svgViewBox returns the width and height of a "min-x min-y width
// height" viewBox.
func svgViewBox(s string) (w, h float64, ok bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n' })
	if len(f) != 4 {
		return 0, 0, false
	}
	w, okW := svgNumber(f[2])
	h, okH := svgNumber(f[3])
	return w, h, okW && okH
}

// svgNumber parses a finite, positive decimal number.
func svgNumber(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "xXnN_") { // no hex, NaN, Inf or digit separators
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v > 0 && v < maxDim
}

// svgRoot finds the root element of an XML document in head, skipping
// a byte-order mark, whitespace, the XML declaration, processing
// instructions, comments and a doctype. svg reports whether the root is an
// <svg> element; complete reports whether root holds its attributes (false
// when head ends inside the root's start tag).
func svgRoot(head []byte) (root xml.StartElement, complete, svg bool) {
	b := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '<' {
		return root, false, false
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			return root, false, isSVGTag(b[off:])
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, t.Name.Local == "svg"
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return root, false, false
			}
		case xml.ProcInst, xml.Comment, xml.Directive:
		default:
			return root, false, false
		}
	}
}

// isSVGTag reports whether b, after whitespace, opens an <svg> tag.
func isSVGTag(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(b, []byte("<svg")) {
		return false
	}
	return len(b) == 4 || bytes.IndexByte([]byte(" \t\r\n/>"), b[4]) >= 0
}
