package service

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"time"
)

//go:embed web/templates/*.html
var templateFS embed.FS

//go:embed web/static
var staticFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"since": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	},
}).ParseFS(templateFS, "web/templates/*.html"))

// staticHandler serves the dashboard's script and style sheet, embedded in
// the binary: the pages load nothing from elsewhere.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "web")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}

// pageData is what every page's template gets.
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

func render(w http.ResponseWriter, code int, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", contentPolicy)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	templates.ExecuteTemplate(w, name, d)
}

// pages adds the dashboard's pages to mux.
func (s *Service) pages(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, "index.html", pageData{Title: "Jobs", Single: s.single, Auth: s.token != ""})
	})
	mux.HandleFunc("GET /jobs/{id}", s.withJob(func(w http.ResponseWriter, r *http.Request, j *Job) {
		st := j.Status()
		render(w, http.StatusOK, "job.html", pageData{Title: "Job " + st.ID, Job: &st, Single: s.single, Auth: s.token != ""})
	}))
}

func (s *Service) loginPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	render(w, code, "login.html", pageData{Title: "Log in", Message: msg})
}
