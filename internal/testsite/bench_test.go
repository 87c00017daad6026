package testsite

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func BenchmarkNew30000(b *testing.B) {
	opt := DefaultOptions()
	opt.Pages = 30000
	b.ReportAllocs()
	for b.Loop() {
		New(opt)
	}
}

func BenchmarkServe(b *testing.B) {
	s := New(DefaultOptions())
	for _, target := range []string{"/p/17.html", "/i/5.jpg"} {
		b.Run(target, func(b *testing.B) {
			b.ReportAllocs()
			req := httptest.NewRequest(http.MethodGet, target, nil)
			for b.Loop() {
				s.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
