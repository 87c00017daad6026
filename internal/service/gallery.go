package service

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// galleryPage is how many images one gallery page holds.
const galleryPage = 48

// Gallery is one page of a job's saved images, newest first, with the
// hosts and types there are to filter by.
type Gallery struct {
	Images []store.Entry `json:"images"`
	Total  int           `json:"total"` // images that pass the filters
	Page   int           `json:"page"`
	Pages  int           `json:"pages"`
	Hosts  []string      `json:"hosts"`
	Types  []string      `json:"types"`
}

// galleryFilter is what the gallery is asked to show.
type galleryFilter struct {
	host, typ string
	minSize   int64
}

func (f galleryFilter) match(e *store.Entry) bool {
	return (f.host == "" || hostOf(e.URL) == f.host) && (f.typ == "" || e.ContentType == f.typ) && e.Bytes >= f.minSize
}

// gallery answers GET /api/jobs/{id}/gallery?page=N&host=H&type=T&min-size=S
// from the job's manifest: the images saved (not duplicates), newest first.
func (s *Service) gallery(w http.ResponseWriter, r *http.Request, j *Job) {
	q := r.URL.Query()
	f := galleryFilter{host: q.Get("host"), typ: q.Get("type")}
	if v := q.Get("min-size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "min-size: want bytes >= 0", "min-size")
			return
		}
		f.minSize = n
	}
	page, _ := strconv.Atoi(q.Get("page"))
	g, err := readGallery(j.Out(), f, max(page, 1))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error(), "")
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// readGallery reads the manifest under out. A line that does not parse (a
// torn last line) is passed over. It keeps only the newest page*galleryPage
// matching entries, so memory follows the page asked for, not the
// manifest's length.
func readGallery(out string, f galleryFilter, page int) (Gallery, error) {
	g := Gallery{Images: []store.Entry{}, Hosts: []string{}, Types: []string{}, Page: page}
	file, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if os.IsNotExist(err) {
		return g, nil
	}
	if err != nil {
		return g, err
	}
	defer file.Close()
	hosts, types := map[string]bool{}, map[string]bool{}
	keep := page * galleryPage
	ring := make([]store.Entry, 0, min(keep, 4096))
	next := 0 // where the next entry goes once the ring is full
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e store.Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Status != state.Saved || e.Path == "" {
			continue
		}
		e.URL, e.Page = fetch.Redact(e.URL), fetch.Redact(e.Page)
		if len(hosts) < 10_000 {
			hosts[hostOf(e.URL)] = true
		}
		types[e.ContentType] = true
		if !f.match(&e) {
			continue
		}
		g.Total++
		if len(ring) < keep {
			ring = append(ring, e)
		} else {
			ring[next] = e
			next = (next + 1) % keep
		}
	}
	for h := range hosts {
		g.Hosts = append(g.Hosts, h)
	}
	for t := range types {
		g.Types = append(g.Types, t)
	}
	slices.Sort(g.Hosts)
	slices.Sort(g.Types)
	// Newest first: the ring from the entry before next, backwards.
	newest := make([]store.Entry, 0, len(ring))
	for i := range len(ring) {
		newest = append(newest, ring[(next-1-i+2*len(ring))%len(ring)])
	}
	g.Pages = max(1, (g.Total+galleryPage-1)/galleryPage)
	from := min((page-1)*galleryPage, len(newest))
	g.Images = append(g.Images, newest[from:min(from+galleryPage, len(newest))]...)
	return g, sc.Err()
}
