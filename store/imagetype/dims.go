package imagetype

import (
	"bytes"
	"image"
	"image/png"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// maxDim bounds the width and height Dimensions reports, so that callers
// can multiply them without overflow.
const maxDim = 1 << 30

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
		w, h, ok = pngDims(head)
		if !ok {
			w, h, ok = fromConfig(png.DecodeConfig(bytes.NewReader(head)))
		}
	case "jpeg":
		// The marker walk gives exactly what DecodeConfig gives, without
		// the 10 KB decoder it allocates per call.
		w, h, ok = jpegDims(head)
	case "gif":
		w, h, ok = gifDims(head)
	case "webp":
		w, h, ok = fromConfig(webp.DecodeConfig(bytes.NewReader(head)))
	case "bmp":
		w, h, ok = fromConfig(bmp.DecodeConfig(bytes.NewReader(head)))
		if !ok {
			w, h, ok = bmpDims(head)
		}
	case "tiff":
		w, h, ok = fromConfig(tiff.DecodeConfig(bytes.NewReader(head)))
		if !ok {
			w, h, ok = tiffDims(head)
		}
	case "ico":
		w, h, ok = icoDims(head)
	case "avif":
		w, h, ok = avifDims(head)
	case "svg":
		w, h, ok = svgDims(head)
	}
	if !ok || w <= 0 || h <= 0 || w > maxDim || h > maxDim {
		return 0, 0, false
	}
	return w, h, true
}

func fromConfig(c image.Config, err error) (w, h int, ok bool) {
	return c.Width, c.Height, err == nil
}
