// Package imagetype identifies images from their first bytes and reads their
// width and height from the headers alone, never decoding a whole image.
// Sniff decides the type; Dimensions reads the size; ParseAccept reads a
// user's list of type names.
//
// Files:
//   - sniff.go: Type, Types, ByMIME, Sniff, ParseAccept.
//   - dims.go: Dimensions, which dispatches to one file per format:
//     png.go, gif.go, jpeg.go, bmp.go, tiff.go, ico.go, svg.go, avif.go
//     (each also holds that format's sniffing, where http.DetectContentType
//     does not know it).
package imagetype
