package service

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

const cookieName = "imgcrawl_session"

// session is the login cookie's value: derived from the token, so that the
// cookie does not hold the token itself.
func session(token string) string {
	sum := sha256.Sum256([]byte("imgcrawl session\x00" + token))
	return hex.EncodeToString(sum[:])
}

// authorized reports whether r carries the token (or the login cookie).
func (s *Service) authorized(r *http.Request) bool {
	if s.token == "" {
		return true
	}
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(bearer)), []byte(s.token)) == 1 {
		return true
	}
	if c, err := r.Cookie(cookieName); err == nil &&
		subtle.ConstantTimeCompare([]byte(c.Value), []byte(session(s.token))) == 1 {
		return true
	}
	return false
}

// requireAuth answers 401 to a request without the token: JSON for the API
// and /metrics, the login page for the dashboard's pages.
func (s *Service) requireAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(r) {
			h.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="imgcrawl"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong token", "")
			return
		}
		s.loginPage(w, r, http.StatusUnauthorized, "")
	})
}

// login checks the token a login form posts and sets the session cookie.
func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if s.token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	tok := r.PostFormValue("token")
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) != 1 {
		s.loginPage(w, r, http.StatusUnauthorized, "Wrong token.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: session(s.token), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout clears the session cookie.
func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
