package service

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// safeRel reports whether p, a slash-separated path from a request, may
// name a file under a job's OUT: relative, no empty, "." or ".." segment,
// no segment starting with a dot (the private .imgcrawl folder, manifests'
// temp files), no NUL or backslash.
func safeRel(p string) bool {
	if p == "" || strings.ContainsAny(p, "\x00\\") || len(p) > 4096 {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") {
			return false
		}
	}
	return true
}

// errNotServed is a path the file endpoints refuse.
var errNotServed = errors.New("not served")

// openInside opens the regular file at rel under dir, through os.Root (so
// nothing outside dir is reachable) and refusing any symbolic link on the
// way (a link planted inside could still point at the private folder).
func openInside(dir, rel string) (*os.File, fs.FileInfo, error) {
	if !safeRel(rel) {
		return nil, nil, errNotServed
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	segs := strings.Split(rel, "/")
	for i := range segs {
		fi, err := root.Lstat(filepath.Join(segs[:i+1]...))
		if err != nil {
			return nil, nil, err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil, nil, errNotServed
		}
	}
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotServed
	}
	return f, fi, nil
}

// sandbox is the Content-Security-Policy of files the crawls saved: an SVG
// opened on its own runs no script and loads nothing.
const sandbox = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"

func (s *Service) file(w http.ResponseWriter, r *http.Request, j *Job) {
	serveInside(w, r, j.Out(), r.PathValue("path"))
}

// serveInside serves the file at rel under dir, or 404.
func serveInside(w http.ResponseWriter, r *http.Request, dir, rel string) {
	f, fi, err := openInside(dir, rel)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such file", "")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Security-Policy", sandbox)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}

func (s *Service) thumb(w http.ResponseWriter, r *http.Request, j *Job) {
	rel := r.PathValue("path")
	if !safeRel(rel) || j.thumbs == nil {
		writeError(w, http.StatusNotFound, "no such file", "")
		return
	}
	// The image must be one served by the files endpoint.
	f, _, err := openInside(j.Out(), rel)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such file", "")
		return
	}
	f.Close()
	path, err := j.thumbs.get(r.Context(), j.Out(), rel)
	if err != nil {
		// No thumbnail (SVG, AVIF, too large): the image itself.
		serveInside(w, r, j.Out(), rel)
		return
	}
	tf, err := os.Open(path)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such file", "")
		return
	}
	defer tf.Close()
	fi, _ := tf.Stat()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "thumb.jpg", fi.ModTime(), tf)
}

// manifest serves the job's manifest, JSON lines as the command writes
// them ("" while the crawl has saved nothing).
func (s *Service) manifest(w http.ResponseWriter, r *http.Request, j *Job) {
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Cache-Control", "no-store")
	f, err := os.Open(filepath.Join(j.Out(), "manifest.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error(), "")
		return
	}
	defer f.Close()
	io.Copy(w, f)
}
