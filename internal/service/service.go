package service

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Config configures a Service.
type Config struct {
	ManagerConfig
	// Token, when set, is asked of every API call and page: as
	// "Authorization: Bearer TOKEN", or the cookie the login page sets.
	Token string
}

// Service is imgcrawl serve: the job manager and its HTTP face (the API,
// the event streams, the dashboard, /metrics). Make it with New (or
// NewSingle), serve Handler, and Close it; the zero value is not usable.
// Safe for concurrent use.
type Service struct {
	mg      *Manager
	m       *metrics
	token   string
	handler http.Handler
	done    chan struct{} // closed by Close: event streams end
	single  bool          // one crawl (crawl --listen): no jobs to start
	close   sync.Once
}

// New opens the jobs under cfg.Data, resuming the unfinished ones.
func New(cfg Config) (*Service, error) {
	m := newMetrics()
	mg, err := OpenManager(cfg.ManagerConfig, m)
	if err != nil {
		return nil, err
	}
	s := &Service{mg: mg, m: m, token: cfg.Token, done: make(chan struct{})}
	s.handler = s.routes()
	return s, nil
}

// Manager returns the service's job manager.
func (s *Service) Manager() *Manager { return s.mg }

// Handler serves the API, the dashboard and /metrics.
func (s *Service) Handler() http.Handler { return s.handler }

// Close ends the event streams, then stops the running jobs (they stay
// running on disk, to resume at the next start) and waits for them.
// It may be called more than once.
func (s *Service) Close() {
	s.close.Do(func() {
		close(s.done)
		s.mg.Close()
	})
}

// CheckListen refuses to listen on anything but loopback without a token:
// the API starts crawls and serves what they saved.
func CheckListen(addr, token string) error {
	if token != "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("--listen " + addr + ": not a loopback address; give --token to listen there")
}
