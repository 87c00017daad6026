package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders for the thumbnails
	"image/jpeg"
	_ "image/png"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/image/draw"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/imgcrawl/imgcrawl/store"
)

// Thumbnail limits: the longest side of a thumbnail, and the largest image
// decoded to make one (in pixels and in bytes on disk): a bigger one gets
// none, so a hostile image cannot take the memory.
const (
	thumbSize      = 240
	thumbMaxPixels = 25_000_000
	thumbMaxBytes  = 64 << 20
)

// errNoThumb is an image that gets no thumbnail (a type not decoded here,
// too large, unreadable).
var errNoThumb = errors.New("no thumbnail")

// thumbnailer makes the gallery's thumbnails, once per image, with a fixed
// number of workers fed from a bounded queue, so that a crawl never waits
// on them (an image whose turn is dropped gets its thumbnail when it is
// first shown). Ahead of time, each worker uses at most a quarter of a
// core; a thumbnail asked for by the gallery is made at once (within the
// same bound on decodes in progress). Safe for concurrent use.
type thumbnailer struct {
	sem   chan struct{} // bounds the decodes in progress, queued or asked for
	queue chan thumbJob
	wg    sync.WaitGroup
	log   *slog.Logger
}

type thumbJob struct{ out, path string }

func newThumbnailer(ctx context.Context, workers int, log *slog.Logger) *thumbnailer {
	t := &thumbnailer{sem: make(chan struct{}, workers), queue: make(chan thumbJob, 1024), log: log}
	for range workers {
		t.wg.Go(func() {
			for {
				select {
				case j, ok := <-t.queue:
					if !ok {
						return
					}
					start := time.Now()
					if _, err := t.get(ctx, j.out, j.path); err != nil && !errors.Is(err, errNoThumb) && ctx.Err() == nil {
						t.log.Debug("thumbnail", "path", j.path, "err", err)
					}
					// Rest thrice as long as the work took: a worker
					// making thumbnails ahead of time takes at most a
					// quarter of a core from the crawl.
					rest := time.NewTimer(3 * time.Since(start))
					select {
					case <-rest.C:
					case <-ctx.Done():
						rest.Stop()
						return
					}
				case <-ctx.Done():
					return
				}
			}
		})
	}
	return t
}

// add asks for the thumbnail of the image saved at path under out; it
// never blocks.
func (t *thumbnailer) add(out, path string) {
	select {
	case t.queue <- thumbJob{out, path}:
	default:
	}
}

// close waits for the workers, whose context is done.
func (t *thumbnailer) close() { t.wg.Wait() }

// thumbPath is where the thumbnail of the image at path under out is kept.
func thumbPath(out, path string) string {
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(out, store.PrivateDir, "thumbs", hex.EncodeToString(sum[:16])+".jpg")
}

// get returns the thumbnail file of the image at path (relative, slash
// separated, already checked to be inside out), making it if need be.
func (t *thumbnailer) get(ctx context.Context, out, path string) (string, error) {
	dst := thumbPath(out, path)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-t.sem }()
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	root, err := os.OpenRoot(out)
	if err != nil {
		return "", err
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(path))
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() > thumbMaxBytes {
		return "", errNoThumb
	}
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > thumbMaxPixels {
		return "", errNoThumb
	}
	if _, err := f.Seek(0, 0); err != nil {
		return "", err
	}
	src, _, err := image.Decode(f)
	if err != nil {
		return "", errNoThumb
	}
	if err := writeThumb(dst, src); err != nil {
		return "", err
	}
	return dst, nil
}

// writeThumb scales src to fit thumbSize, on white, and writes it as a
// JPEG at dst, whole or not at all.
func writeThumb(dst string, src image.Image) error {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > thumbSize || h > thumbSize {
		if w >= h {
			w, h = thumbSize, max(1, h*thumbSize/b.Dx())
		} else {
			w, h = max(1, w*thumbSize/b.Dy()), thumbSize
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(img, img.Bounds(), src, b, draw.Over, nil)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".thumb-*")
	if err != nil {
		return err
	}
	err = jpeg.Encode(tmp, img, &jpeg.Options{Quality: 80})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("service: thumbnail: %w", err)
	}
	return nil
}
