package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
)

// maxBody is the largest request body the API reads (a job's URLs and
// options).
const maxBody = 1 << 20

// routes builds the service's handler: the API, the pages and /metrics
// behind the token, /healthz open, all behind the cross-origin protection
// (a state-changing request from another origin is refused).
func (s *Service) routes() http.Handler {
	api := http.NewServeMux()
	for _, r := range s.apiRoutes() {
		api.HandleFunc(r.pattern, r.handler)
	}
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint", "")
	})
	api.Handle("GET /metrics", s.m.handler())
	s.pages(api)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { s.loginPage(w, r, http.StatusOK, "") })
	mux.Handle("GET /static/", staticHandler())
	mux.Handle("/", s.requireAuth(api))
	cop := http.NewCrossOriginProtection()
	h := cop.Handler(mux)
	if s.token == "" {
		h = loopbackHost(h)
	}
	return securityHeaders(h)
}

// loopbackHost refuses, on a service without a token (which listens on
// loopback only), a request whose Host is not a loopback name: a web page
// whose own host name an attacker pointed at 127.0.0.1 (DNS rebinding)
// could otherwise use the service as its own origin.
func loopbackHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hp, _, err := net.SplitHostPort(host); err == nil {
			host = hp
		}
		host = strings.Trim(host, "[]")
		if ip := net.ParseIP(host); !(strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()) {
			writeError(w, http.StatusForbidden, "host "+r.Host+" is not a loopback name: without --token the service answers only to localhost, 127.0.0.1 and [::1]", "")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// route is one endpoint of the API; openapi.json documents each (a test
// checks).
type route struct {
	pattern string
	handler http.HandlerFunc
}

func (s *Service) apiRoutes() []route {
	return []route{
		{"POST /api/jobs", s.createJob},
		{"GET /api/jobs", s.listJobs},
		{"GET /api/jobs/{id}", s.withJob(s.getJob)},
		{"POST /api/jobs/{id}/cancel", s.withJob(s.cancelJob)},
		{"POST /api/jobs/{id}/resume", s.withJob(s.resumeJob)},
		{"GET /api/jobs/{id}/events", s.withJob(s.jobEvents)},
		{"GET /api/jobs/{id}/manifest", s.withJob(s.manifest)},
		{"GET /api/jobs/{id}/files/{path...}", s.withJob(s.file)},
		{"GET /api/jobs/{id}/thumbs/{path...}", s.withJob(s.thumb)},
		{"GET /api/jobs/{id}/gallery", s.withJob(s.gallery)},
		{"GET /api/events", s.allEvents},
		{"GET /api/openapi.json", serveOpenAPI},
	}
}

// securityHeaders keeps the pages from being framed or sniffed.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, code int, msg, field string) {
	writeJSON(w, code, apiError{Error: msg, Field: field})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// withJob looks up the job the path names.
func (s *Service) withJob(h func(http.ResponseWriter, *http.Request, *Job)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		j, err := s.mg.Get(id)
		if err != nil || !validID(id) {
			writeError(w, http.StatusNotFound, "no such job: "+id, "")
			return
		}
		h(w, r, j)
	}
}

func (s *Service) createJob(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var spec Spec
	if err := dec.Decode(&spec); err != nil {
		var mbe *http.MaxBytesError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			writeError(w, http.StatusRequestEntityTooLarge, "request body over 1 MiB", "")
		case errors.As(err, &te):
			writeError(w, http.StatusBadRequest, "wrong type: want "+te.Type.String()+", got "+te.Value, te.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			writeError(w, http.StatusBadRequest, "no such field", f)
		default:
			writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error(), "")
		}
		return
	}
	j, err := s.mg.Create(spec)
	var fe *FieldError
	switch {
	case errors.Is(err, errSingle):
		writeError(w, http.StatusMethodNotAllowed, err.Error(), "")
		return
	case errors.As(err, &fe):
		writeError(w, http.StatusBadRequest, fe.Error(), fe.Field)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error(), "")
		return
	}
	w.Header().Set("Location", "/api/jobs/"+j.ID())
	writeJSON(w, http.StatusCreated, j.Status())
}

func (s *Service) listJobs(w http.ResponseWriter, r *http.Request) {
	list := []Status{}
	for _, j := range s.mg.List() {
		st := j.Status()
		st.Hosts, st.Errs = nil, nil
		list = append(list, st)
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Service) getJob(w http.ResponseWriter, r *http.Request, j *Job) {
	writeJSON(w, http.StatusOK, j.Status())
}

func (s *Service) cancelJob(w http.ResponseWriter, r *http.Request, j *Job) {
	s.act(w, j, s.mg.Cancel(j.ID()))
}

func (s *Service) resumeJob(w http.ResponseWriter, r *http.Request, j *Job) {
	s.act(w, j, s.mg.Resume(j.ID()))
}

func (s *Service) act(w http.ResponseWriter, j *Job, err error) {
	var se *StateError
	switch {
	case errors.Is(err, errSingle):
		writeError(w, http.StatusMethodNotAllowed, err.Error(), "")
	case errors.As(err, &se):
		writeError(w, http.StatusConflict, err.Error(), "")
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error(), "")
	default:
		writeJSON(w, http.StatusOK, j.Status())
	}
}
