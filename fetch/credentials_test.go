package fetch

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// credTestServer answers with the credential and other extra headers it
// received.
func credTestServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "auth=%s|cookie=%s|proxy=%s|x=%s", r.Header.Get("Authorization"), r.Header.Get("Cookie"),
			r.Header.Get("Proxy-Authorization"), r.Header.Get("X-Api"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCredentialsGoToTheirOriginsOnly(t *testing.T) {
	seed, other := credTestServer(t), credTestServer(t)
	const all = "auth=Bearer s3cret|cookie=session=1|proxy=Basic cA==|x=key"
	const none = "auth=|cookie=|proxy=|x=key"
	hdr := http.Header{"authorization": {"Bearer s3cret"}, "Cookie": {"session=1"},
		"Proxy-Authorization": {"Basic cA=="}, "X-Api": {"key"}}
	seedByName := strings.Replace(seed.URL, "127.0.0.1", "localhost", 1)
	tests := []struct {
		name    string
		origins []string
		allow   string // passed to AllowCredentials first
		url     string
		want    string
	}{
		{"the seed's origin", []string{seed.URL + "/start"}, "", seed.URL + "/img/a.png", all},
		{"its robots.txt", []string{seed.URL + "/start"}, "", seed.URL + "/robots.txt", all},
		{"another port of the host", []string{seed.URL}, "", other.URL + "/a.png", none},
		{"another name of the host", []string{seed.URL}, "", seedByName + "/a.png", none},
		{"another scheme", []string{strings.Replace(seed.URL, "http:", "https:", 1)}, "", seed.URL, none},
		{"no origins", nil, "", seed.URL, none},
		{"an origin added later", []string{seed.URL}, other.URL + "/list/b.png", other.URL + "/a.png", all},
		{"spelled otherwise", []string{strings.ToUpper(seed.URL)}, "", seed.URL, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientTestNew(t, Config{Header: hdr, CredentialOrigins: tt.origins, AllowPrivate: true})
			if tt.allow != "" {
				u, _ := url.Parse(tt.allow)
				c.AllowCredentials(u)
			}
			if _, body := clientTestGetBody(t, c, tt.url, nil); body != tt.want {
				t.Errorf("server saw %q, want %q", body, tt.want)
			}
		})
	}
}

func TestCredentialOriginsAreChecked(t *testing.T) {
	for _, raw := range []string{"mailto:a@example.com", "/relative", "http://user:pw@ex ample.com/", "ftp://example.com/"} {
		_, err := NewClient(Config{CredentialOrigins: []string{raw}, Proxy: ProxyDirect})
		if err == nil || !strings.HasPrefix(err.Error(), "fetch: CredentialOrigins ") {
			t.Errorf("%q: error %v, want one naming CredentialOrigins", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: error %q shows the password", raw, err)
		}
	}
}

func TestCredentialOrigin(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"http://Example.COM./a", "http://example.com:80"},
		{"https://example.com:443/", "https://example.com:443"},
		{"HTTPS://example.com", "https://example.com:443"},
		{"http://example.com:8080", "http://example.com:8080"},
		{"http://[::1]:81/x", "http://[::1]:81"},
		{"http://user:pw@example.com/", "http://example.com:80"},
		{"data:image/png,x", ""},
		{"http:///path", ""},
	} {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := credentialOrigin(u); got != tt.want {
			t.Errorf("credentialOrigin(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}
