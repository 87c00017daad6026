package main

import (
	"os"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/options"
)

const usageHint = "run 'imgcrawl --help' for usage\n"

// TestHelpAndUsage: --help and -h print the help to stdout and exit 0; no
// command, an unknown command or a bad flag is a usage error on stderr
// (exit 2) naming what is wrong, with the hint to --help.
func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"crawl", "--help"}, {"get", "-h"}, {"index", "import", "--help"}} {
		code, stdout, stderr := runCLI(t, "", args...)
		if code != exitOK || !strings.HasPrefix(stdout, "Usage: imgcrawl") || stderr != "" {
			t.Errorf("%q: exit %d, stdout %.40q, stderr %q", args, code, stdout, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, `imgcrawl: error: expected one of "crawl", "get", "status", "index", "serve", ...`},
		{[]string{"frobnicate"}, "imgcrawl: error: unexpected argument frobnicate"},
		{[]string{"index"}, `imgcrawl: error: expected "import"`},
		{[]string{"version", "extra"}, "imgcrawl: error: unexpected argument extra"},
		{[]string{"crawl", "--bogus", "--help"}, "imgcrawl: error: unknown flag --bogus"},
		{[]string{"crawl", "-Z"}, "imgcrawl: error: unknown flag -Z"},
		{[]string{"crawl", "--rate", "fast"}, `imgcrawl: error: --rate: expected a float but got "fast"`},
		{[]string{"crawl", "--connect-timeout", "soon"}, `imgcrawl: error: --connect-timeout: bad duration "soon"`},
		{[]string{"crawl", "--quiet=maybe"}, "imgcrawl: error: --quiet: bool value must be"},
		{[]string{"crawl", "--depth"}, "imgcrawl: error: --depth: missing value"},
		{[]string{"crawl", "--render=maybe"}, `imgcrawl: error: --render: "maybe" is not one of auto, on, off`},
		{[]string{"get", "--layout", "tree"}, `imgcrawl: error: --layout must be one of "mirror","flat","hash" but got "tree"`},
		{[]string{"crawl", "--cookies", "/nonexistent/cookies.txt"}, "imgcrawl: error: --cookies: stat /nonexistent/cookies.txt"},
		{[]string{"index", "import", "."}, "imgcrawl: error: missing flags: --index=DSN"},
		{[]string{"index", "import", "--index", "sqlite:x.db"}, `imgcrawl: error: expected "<OUT> ..."`},
		{[]string{"index", "import", "--index", "sqlite:x.db", "/nonexistent"}, "imgcrawl: error: <OUT> ...: stat /nonexistent"},
	} {
		code, stdout, stderr := runCLI(t, "", tc.args...)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, tc.want) || !strings.HasSuffix(stderr, usageHint) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// TestHelpShowsEveryFlag: the crawl help names every flag with its short
// name, its placeholder or default, its help and its IMGCRAWL_ variable,
// with the library's defaults interpolated; hidden flags stay out.
func TestHelpShowsEveryFlag(t *testing.T) {
	_, out, _ := runCLI(t, "", "crawl", "--help")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Usage: imgcrawl crawl [<URL> ...] [flags]",
		"[<URL> ...] Seed URLs.",
		"-h, --help Show context-sensitive help.",
		"-i, --input=FILE Seed URLs, one per line",
		"-d, --depth=2 Link depth from a seed; a seed page is depth 0 ($IMGCRAWL_DEPTH).",
		`--scope="host"`,
		"-c, --concurrency=16",
		"--max-stylesheet-size=4MiB",
		"--render[=auto|on|off] Load pages in headless Chromium",
		"--render-tabs=N",
		"-H, --header='NAME: VALUE'",
		"-o, --out=DIR Where images go ($IMGCRAWL_OUT).",
		"--max-size=512MiB",
		"(default " + strings.Join(crawler.DefaultSkipExtensions(), ", ") + ")",
		"User-Agent header (default " + crawler.DefaultUserAgent() + ")",
		"-q, --quiet",
		"--token=T With --listen",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("crawl --help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "redis-lease") {
		t.Errorf("crawl --help shows the hidden --redis-lease:\n%s", out)
	}
	_, out, _ = runCLI(t, "", "--help")
	for _, want := range []string{"crawl [<URL> ...] [flags]", "index import --index=DSN <OUT> ...", "version\n    Print the version."} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
}

// TestEnvVars: every flag reads IMGCRAWL_<NAME>; the command line beats
// it; a bad value names the flag and the variable.
func TestEnvVars(t *testing.T) {
	t.Setenv("IMGCRAWL_DEPTH", "5")
	t.Setenv("IMGCRAWL_PER_HOST", "7")
	t.Setenv("IMGCRAWL_MAX_SIZE", "1MiB")
	t.Setenv("IMGCRAWL_RENDER", "auto")
	t.Setenv("IMGCRAWL_QUIET", "true")
	t.Setenv("IMGCRAWL_REDIS_LEASE", "2m")
	c, _, err := parseCLI(t, os.LookupEnv, "crawl", "--per-host", "3", "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	cc := c.Crawl
	if cc.Depth != 5 || cc.PerHost != 3 || cc.MaxSize != 1<<20 || cc.Render.Render != "auto" || !cc.Quiet ||
		cc.RedisLease.Minutes() != 2 {
		t.Errorf("from the environment: depth %d, per-host %d, max-size %d, render %q, quiet %v, redis-lease %v",
			cc.Depth, cc.PerHost, cc.MaxSize, cc.Render.Render, cc.Quiet, cc.RedisLease)
	}
	t.Setenv("IMGCRAWL_DEPTH", "deep")
	code, _, stderr := runCLI(t, "", "crawl", "http://127.0.0.1/")
	if want := `imgcrawl: error: --depth: expected a valid 64 bit int but got "deep" (from envar IMGCRAWL_DEPTH="deep")`; code != exitUsage || !strings.HasPrefix(stderr, want) {
		t.Errorf("bad IMGCRAWL_DEPTH: exit %d, stderr:\n%s\nwant %s", code, stderr, want)
	}
	os.Unsetenv("IMGCRAWL_DEPTH") // t.Setenv restores it
	t.Setenv("IMGCRAWL_SCOPE", "planet")
	code, _, stderr = runCLI(t, "", "crawl", "http://127.0.0.1/")
	if code != exitUsage || !strings.Contains(stderr, `--scope must be one of "host","domain","all" but got "planet"`) {
		t.Errorf("bad IMGCRAWL_SCOPE: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestSkipExtIsOneValue: --skip-ext is one comma-separated value (split by
// options.SplitList), on the command line and in IMGCRAWL_SKIP_EXT.
func TestSkipExtIsOneValue(t *testing.T) {
	c, _, err := parseCLI(t, nil, "crawl", "--skip-ext", "gif,svg", "http://127.0.0.1/")
	if err != nil || strings.Join(options.SplitList(c.Crawl.SkipExt), " ") != "gif svg" {
		t.Errorf("--skip-ext gif,svg: %q, %v", c.Crawl.SkipExt, err)
	}
	t.Setenv("IMGCRAWL_SKIP_EXT", ".zip,.rar")
	c, _, err = parseCLI(t, os.LookupEnv, "crawl", "http://127.0.0.1/")
	if err != nil || strings.Join(options.SplitList(c.Crawl.SkipExt), " ") != ".zip .rar" {
		t.Errorf("IMGCRAWL_SKIP_EXT: %q, %v", c.Crawl.SkipExt, err)
	}
}
