// Command imgcrawl crawls web sites and downloads their images.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/cliflags"
	"github.com/imgcrawl/imgcrawl/internal/options"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// Exit codes.
const (
	exitOK       = 0
	exitFatal    = 1 // also: no seed (no listed URL) could be fetched
	exitUsage    = 2
	exitFailures = 3 // --strict: some page or image failed
	exitCanceled = 130
)

type cli struct {
	Crawl   crawlCmd   `cmd:"" help:"Crawl from seed URLs and save every image found."`
	Get     getCmd     `cmd:"" help:"Download a list of image URLs."`
	Status  statusCmd  `cmd:"" help:"Show what a stored crawl has done and has left."`
	Index   indexCmd   `cmd:"" help:"Work with an SQL image index (see --index)."`
	Serve   serveCmd   `cmd:"" help:"Run crawl and get jobs as a service, with an HTTP API, a dashboard and /metrics."`
	Demo    demoCmd    `cmd:"" help:"Serve the bundled sample site on 127.0.0.1 and crawl it into ./demo-images."`
	Version versionCmd `cmd:"" help:"Print the version."`
}

// env is what a command runs with: its streams, so tests can run main's code.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	stdinTTY       bool
	stderrTTY      bool
	// progress is where the progress display goes: stderr, through the
	// terminal that keeps messages from tearing the live bar (set by run).
	progress io.Writer
}

func main() {
	startGCFloor()
	os.Exit(run(os.Args[1:], stdEnv()))
}

// usageError is a bad flag or argument: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func run(args []string, e env) int {
	term := newTerminal(e.stderr, e.stderrTTY)
	e.stderr, e.progress = term, term.progress()
	var c cli
	root, err := cliflags.Build("imgcrawl", "A concurrent, polite web crawler and bulk image downloader.",
		&c, defaultVars(), "IMGCRAWL")
	if err != nil {
		fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
		return exitFatal
	}
	err = cliflags.Execute(root, args, e.stdout, os.LookupEnv, func(cmd any) error {
		return cmd.(runner).Run(&e)
	})
	var ue *cliflags.UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "imgcrawl: error: %v\n", err)
		fmt.Fprintln(e.stderr, "run 'imgcrawl --help' for usage")
		return exitUsage
	}
	return exitCode(err, e)
}

// runner is every command: each struct of cli with no subcommands.
type runner interface{ Run(*env) error }

func exitCode(err error, e env) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	var ce *crawler.ConfigError
	var me *crawler.MismatchError
	var fe failuresError
	var oe *options.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, errInterrupted):
		return exitCanceled
	case errors.As(err, &fe):
		fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
		return exitFailures
	case errors.As(err, &ce):
		if flag, ok := configFlags[ce.Field]; ok {
			err = fmt.Errorf("%s: %w", flag, ce.Err)
		}
		fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
		return exitUsage
	case errors.As(err, &ue), errors.As(err, &me), errors.As(err, &oe):
		fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
		return exitUsage
	case errors.Is(err, redisstate.ErrJobLost):
		fmt.Fprintf(e.stderr, "imgcrawl: %v\nimgcrawl: %s\n", err, jobLostHint)
		return exitFatal
	}
	fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
	return exitFatal
}

// configFlags names the flag that sets each field a *crawler.ConfigError
// can name; the others (seeds, fetch) are reported as the crawler words them.
var configFlags = map[string]string{
	"depth": "--depth", "concurrency": "--concurrency", "per-host": "--per-host",
	"rate": "--rate", "host-rate": "--host-rate", "retries": "--retries",
	"scope": "--scope", "include": "--include", "exclude": "--exclude", "layout": "--layout",
	"min-width": "--min-width", "min-height": "--min-height", "skip-ext": "--skip-ext",
	"srcset": "--srcset", "skip-known": "--skip-known", "revalidate": "--revalidate",
}

type versionCmd struct{}

func (versionCmd) Run(e *env) error {
	fmt.Fprintf(e.stdout, "imgcrawl %s\n", crawler.Version)
	return nil
}
