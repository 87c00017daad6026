package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/internal/service"
)

type serveCmd struct {
	Listen       string  `default:"127.0.0.1:8080" placeholder:"ADDR" help:"Address to serve on (default 127.0.0.1:8080); anything but loopback needs --token."`
	Data         string  `default:"./imgcrawl-data" placeholder:"DIR" help:"Folder of the jobs (default ./imgcrawl-data; DIR/jobs/ID: job.json and the job's OUT)."`
	Token        string  `placeholder:"T" help:"Token every API call and page needs (Authorization: Bearer T, or the login page); better set as IMGCRAWL_TOKEN."`
	MaxJobs      int     `name:"max-jobs" default:"2" help:"Jobs running at once; the others queue."`
	PerHost      int     `name:"per-host" default:"${default_per_host}" help:"Requests in flight per host, over all jobs together."`
	HostRate     float64 `name:"host-rate" default:"0" help:"Requests per second per host, over all jobs together (0 = unlimited)."`
	Rate         float64 `default:"0" help:"Requests per second in total, over all jobs together (0 = unlimited)."`
	AllowPrivate bool    `name:"allow-private" help:"Let jobs set allow-private (links and redirects into loopback and private networks)."`
	Thumbnails   int     `default:"1" help:"Workers making the gallery's thumbnails."`
	Index        string  `placeholder:"DSN" help:"Also record every job's images (and pages) in an SQL index: sqlite:FILE, mysql://USER:PASS@HOST:PORT/DB (MySQL, MariaDB) or postgres://USER:PASS@HOST:PORT/DB."`
	Browser      string  `placeholder:"PATH" help:"The Chromium or Chrome binary for the jobs that set render (default: chromium in PATH)."`
}

func (c *serveCmd) Run(e *env) error {
	if err := service.CheckListen(c.Listen, c.Token); err != nil {
		return usageError{err}
	}
	for _, n := range []struct {
		flag string
		v    int
	}{{"--max-jobs", c.MaxJobs}, {"--per-host", c.PerHost}, {"--thumbnails", c.Thumbnails}} {
		if n.v <= 0 {
			return usageError{fmt.Errorf("%s: must be > 0, got %d", n.flag, n.v)}
		}
	}
	if c.HostRate < 0 || c.Rate < 0 {
		return usageError{errors.New("--host-rate and --rate: must be >= 0")}
	}
	dsn, err := parseIndexFlag(c.Index)
	if err != nil {
		return err
	}
	ix, err := openIndex(dsn)
	if err != nil {
		return err
	}
	if ix != nil {
		defer ix.Close() // after svc.Close, deferred below
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := service.New(service.Config{Token: c.Token, ManagerConfig: service.ManagerConfig{
		Data: c.Data, MaxJobs: c.MaxJobs, Logger: log, Thumbnails: c.Thumbnails,
		Gate:   fetch.HostsConfig{PerHost: c.PerHost, HostRate: c.HostRate, Rate: c.Rate},
		Policy: service.Policy{AllowPrivate: c.AllowPrivate},
		Index:  ix, Browser: c.Browser,
	}})
	if err != nil {
		return err
	}
	defer svc.Close()
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	fmt.Fprintf(e.stderr, "imgcrawl: serving on http://%s (jobs under %s)\n", ln.Addr(), c.Data)
	return serveUntilSignal(ln, svc.Handler(), svc.Close, e)
}

// serveUntilSignal serves h on ln until SIGINT or SIGTERM, then shuts the
// server down: onShutdown ends what would keep connections open.
func serveUntilSignal(ln net.Listener, h http.Handler, onShutdown func(), e *env) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	srv.RegisterOnShutdown(onShutdown) // ends the event streams
	ctx, stop := withSignals(context.Background(), e, func() { os.Exit(exitCanceled) })
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return nil
}
