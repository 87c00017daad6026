package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/service"
)

// listenFlags serve a view of the crawl while it runs.
type listenFlags struct {
	Listen string `placeholder:"ADDR" help:"Serve this crawl's status, event stream, gallery and /metrics on ADDR while it runs (as imgcrawl serve shows a job); anything but loopback needs --token."`
	Token  string `placeholder:"T" help:"With --listen: token every request needs (Authorization: Bearer T, or the login page); better set as IMGCRAWL_TOKEN."`
}

// view is the HTTP view of one crawl (nil: none).
type view struct {
	svc  *service.Service
	srv  *http.Server
	done chan struct{}
}

// startView starts serving the view of the crawl cfg configures, when
// --listen is given; it hooks cfg, so it comes last before crawler.New.
func startView(cfg *crawler.Config, lf *listenFlags, e *env) (*view, error) {
	if lf.Listen == "" {
		return nil, nil
	}
	if err := service.CheckListen(lf.Listen, lf.Token); err != nil {
		return nil, usageError{err}
	}
	ln, err := net.Listen("tcp", lf.Listen)
	if err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	svc := service.NewSingle(cfg, lf.Token, cfg.Logger)
	v := &view{svc: svc, done: make(chan struct{}),
		srv: &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}}
	go func() {
		defer close(v.done)
		v.srv.Serve(ln)
	}()
	fmt.Fprintf(e.stderr, "imgcrawl: watch this crawl on http://%s/jobs/%s\n", ln.Addr(), service.SingleID)
	return v, nil
}

// stop records how the crawl ended and stops serving.
func (v *view) stop(err error) {
	if v == nil {
		return
	}
	v.svc.Finish(err)
	v.svc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v.srv.Shutdown(ctx)
	<-v.done
}
