package testsite

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// imgFormat is the encoding of a generated image.
type imgFormat uint8

const (
	fmtPNG imgFormat = iota
	fmtJPEG
	fmtGIF
)

func (f imgFormat) contentType() string {
	switch f {
	case fmtJPEG:
		return "image/jpeg"
	case fmtGIF:
		return "image/gif"
	}
	return "image/png"
}

func (f imgFormat) ext() string {
	switch f {
	case fmtJPEG:
		return "jpg"
	case fmtGIF:
		return "gif"
	}
	return "png"
}

// imgCacheBudget bounds the image bytes kept in memory; beyond it images are
// generated again for each request (only their hashes stay cached).
const imgCacheBudget = 64 << 20

// sizeModel predicts an encoded size from a pixel count: a + b*pixels, with b
// kept as the fraction bNum/bDen so that sizing uses only integer arithmetic
// and is the same on every machine.
type sizeModel struct{ a, bNum, bDen int }

// imageGen encodes deterministic noise images of about target bytes.
type imageGen struct {
	seed    uint64
	target  int
	models  [3]sizeModel
	pngBufs *pngPool
}

func newImageGen(seed int64, target int) imageGen {
	g := imageGen{seed: uint64(seed), target: target, pngBufs: new(pngPool)}
	const small, large = 8, 40
	for f := fmtPNG; f <= fmtGIF; f++ {
		b1 := len(g.encodeDims(f, ^uint64(0), small, small))
		b2 := len(g.encodeDims(f, ^uint64(0), large, large))
		m := sizeModel{bNum: max(1, b2-b1), bDen: large*large - small*small}
		m.a = b1 - m.bNum*small*small/m.bDen
		g.models[f] = m
	}
	return g
}

// dims returns the size of image id: about the pixel count that reaches the
// target size, with an aspect ratio that varies from image to image. Images
// are at least 4×4, so that even tiny ones are all different.
func (g *imageGen) dims(id int, f imgFormat) (w, h int) {
	m := g.models[f]
	px := max(16, (g.target-m.a)*m.bDen/m.bNum)
	s := isqrt(px)
	w = max(4, s*(8+id%5)/10)
	h = max(4, (px+w/2)/w)
	return w, h
}

func (g *imageGen) encode(id int, f imgFormat) []byte {
	w, h := g.dims(id, f)
	return g.encodeDims(f, uint64(id), w, h)
}

// encodeDims encodes a w×h image of noise drawn from stream (seed, stream).
func (g *imageGen) encodeDims(f imgFormat, stream uint64, w, h int) []byte {
	rng := rand.New(rand.NewPCG(g.seed, stream*0x9e3779b97f4a7c15+uint64(f)))
	rect := image.Rect(0, 0, w, h)
	var buf bytes.Buffer
	var err error
	switch f {
	case fmtGIF:
		img := image.NewPaletted(rect, palette.Plan9)
		fillNoise(rng, img.Pix, 0)
		err = gif.Encode(&buf, img, nil)
	case fmtJPEG:
		img := image.NewRGBA(rect)
		fillNoise(rng, img.Pix, 4)
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	default:
		img := image.NewNRGBA(rect)
		fillNoise(rng, img.Pix, 4)
		enc := png.Encoder{CompressionLevel: png.NoCompression, BufferPool: g.pngBufs}
		err = enc.Encode(&buf, img)
	}
	if err != nil {
		// Encoding in-memory images of valid size cannot fail.
		panic("testsite: encode image: " + err.Error())
	}
	// A copy of exactly the right size: cached images must not carry the
	// buffer's spare capacity.
	return bytes.Clone(buf.Bytes())
}

// pngPool reuses the PNG encoder's buffers: a fresh zlib writer costs more
// than encoding a small image. Safe for concurrent use.
type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

// fillNoise fills pix with random bytes; if stride > 0, every stride-th byte
// (alpha) is set to 255 so the image is opaque.
func fillNoise(rng *rand.Rand, pix []byte, stride int) {
	for i := 0; i < len(pix); i += 8 {
		v := rng.Uint64()
		for j := i; j < i+8 && j < len(pix); j++ {
			pix[j] = byte(v)
			v >>= 8
		}
	}
	if stride > 0 {
		for i := stride - 1; i < len(pix); i += stride {
			pix[i] = 255
		}
	}
}

func isqrt(n int) int {
	r := 0
	for b := 1 << 30; b > 0; b >>= 1 {
		if (r+b)*(r+b) <= n {
			r += b
		}
	}
	return r
}

// imgEntry caches one content: its hash always, its bytes within budget.
type imgEntry struct {
	once sync.Once
	sum  [sha256.Size]byte
	size int
	data []byte
}

// imageCache generates each content at most once and remembers its hash.
// Safe for concurrent use.
type imageCache struct {
	gen     imageGen
	format  func(id int) imgFormat
	entries []imgEntry
	budget  atomic.Int64
}

func newImageCache(gen imageGen, n int, format func(int) imgFormat) *imageCache {
	c := &imageCache{gen: gen, format: format, entries: make([]imgEntry, n)}
	c.budget.Store(imgCacheBudget)
	return c
}

// get returns the bytes and hash of content id. The bytes are shared: the
// caller must not modify them.
func (c *imageCache) get(id int) ([]byte, [sha256.Size]byte) {
	e := &c.entries[id]
	var fresh []byte
	e.once.Do(func() {
		fresh = c.gen.encode(id, c.format(id))
		e.sum = sha256.Sum256(fresh)
		e.size = len(fresh)
		if c.budget.Add(-int64(len(fresh))) >= 0 {
			e.data = fresh
		}
	})
	switch {
	case e.data != nil:
		return e.data, e.sum
	case fresh != nil:
		return fresh, e.sum
	}
	return c.gen.encode(id, c.format(id)), e.sum
}

// info returns the hash and size of content id, generating it if needed.
func (c *imageCache) info(id int) ([sha256.Size]byte, int) {
	c.get(id)
	e := &c.entries[id]
	return e.sum, e.size
}

// warm generates the given contents in parallel, so that info is cheap.
func (c *imageCache) warm(ids []int) {
	workers := min(runtime.GOMAXPROCS(0), len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) {
					return
				}
				c.get(ids[i])
			}
		})
	}
	wg.Wait()
}
