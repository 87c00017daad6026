package service

import (
	"embed"
	"io"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed web/static
var staticFS embed.FS

// staticHandler serves the dashboard's script and style sheet, embedded in
// the binary: the pages load nothing from elsewhere.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "web")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}

// pageData is what every page is written from (html.go).
type pageData struct {
	Title   string
	Job     *Status // the job page's job
	Message string  // the login page's message
	Single  bool    // a single crawl's view (crawl --listen): no job form
	Auth    bool    // the service asks for a token: offer to log out
}

// contentPolicy keeps the pages to their own origin: scripts, styles,
// images and event streams from here alone.
const contentPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// render answers with the page that page writes from d.
func render(w http.ResponseWriter, code int, page func(*strings.Builder, pageData), d pageData) {
	var b strings.Builder
	page(&b, d)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", contentPolicy)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	io.WriteString(w, b.String())
}

// pages adds the dashboard's pages to mux.
func (s *Service) pages(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, indexHTML, pageData{Title: "Jobs", Single: s.single, Auth: s.token != ""})
	})
	mux.HandleFunc("GET /jobs/{id}", s.withJob(func(w http.ResponseWriter, r *http.Request, j *Job) {
		st := j.Status()
		render(w, http.StatusOK, jobHTML, pageData{Title: "Job " + st.ID, Job: &st, Single: s.single, Auth: s.token != ""})
	}))
}

func (s *Service) loginPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	render(w, code, loginHTML, pageData{Title: "Log in", Message: msg})
}
