package cliflags

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mode is an optional-value flag: a bare --mode is "on".
type mode string

func (m *mode) UnmarshalText(b []byte) error {
	if !modeValue(string(b)) {
		return errors.New("not a mode")
	}
	*m = mode(b)
	return nil
}
func (*mode) BareValue() string           { return "on" }
func (*mode) AcceptsNext(arg string) bool { return modeValue(arg) }
func modeValue(s string) bool             { return s == "on" || s == "off" || s == "auto" }

// size reads "2k" as 2048, through UnmarshalText.
type size int64

func (s *size) UnmarshalText(b []byte) error {
	n, ok := strings.CutSuffix(string(b), "k")
	if !ok || n == "" {
		return errors.New("bad size " + string(b))
	}
	*s = size(len(n)) << 10
	return nil
}

type group struct {
	PerHost int    `name:"per-host" default:"${default_per_host}" help:"Per host (default ${default})."`
	Scope   string `default:"host" enum:"host,domain,all" help:"Scope."`
}

type testCmd struct {
	URLs     []string      `arg:"" optional:"" name:"URL" help:"Seeds."`
	Out      string        `short:"o" default:"./out" placeholder:"DIR" help:"Where."`
	Depth    int           `short:"d" default:"2" help:"Depth."`
	Quiet    bool          `short:"q" help:"Quiet."`
	Color    bool          `negatable:"" default:"true" help:"Color."`
	Rate     float64       `default:"0" help:"Rate."`
	Lease    time.Duration `hidden:"" default:"1m" help:"Lease."`
	Max      size          `default:"1k" help:"Max."`
	Mode     mode          `placeholder:"on|off|auto" help:"Mode."`
	Include  []string      `sep:"none" help:"Include, repeatable."`
	Tags     []string      `help:"Tags."`
	Token    string        `env:"TOKEN_A,TOKEN_B" help:"Token."`
	Cookies  string        `type:"existingfile" help:"Cookies."`
	MaxItems int           `help:"Max items."`
	group
	Skip int `flag:"-"`
	//lint:ignore U1000 an unexported field, which is no flag
	hidden int
}

type otherCmd struct {
	Index string   `required:"" placeholder:"DSN" help:"The index."`
	Out   []string `arg:"" name:"OUT" type:"existingdir" help:"Folders."`
}

type testCLI struct {
	Test  testCmd `cmd:"" help:"Test things."`
	Group struct {
		Other otherCmd `cmd:"" help:"Other things."`
	} `cmd:"" help:"A group."`
}

var testVars = map[string]string{"default_per_host": "4"}

// parse runs args against a fresh testCLI with env as the environment.
func parse(t *testing.T, env map[string]string, args ...string) (*testCLI, any, string, error) {
	t.Helper()
	c := new(testCLI)
	root, err := Build("app", "An app.", c, testVars, "APP")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var ran any
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	err = Execute(root, args, &out, lookup, func(target any) error {
		ran = target
		return nil
	})
	return c, ran, out.String(), err
}

func TestTags(t *testing.T) {
	c, ran, _, err := parse(t, nil, "test", "http://a/", "http://b/")
	if err != nil {
		t.Fatal(err)
	}
	if ran != &c.Test {
		t.Fatalf("ran %T, want the test command", ran)
	}
	tc := c.Test
	if tc.Out != "./out" || tc.Depth != 2 || tc.Quiet || !tc.Color || tc.Lease != time.Minute || tc.Max != 1<<10 ||
		tc.PerHost != 4 || tc.Scope != "host" || tc.Mode != "" || len(tc.URLs) != 2 || tc.Include != nil {
		t.Errorf("defaults: %+v", tc)
	}
	c, _, _, err = parse(t, nil, "test", "-qo", "dir", "-d3", "--no-color", "--rate=1.5", "--lease", "2s",
		"--max", "22k", "--per-host", "7", "--scope", "all", "--max-items", "5", "http://a/")
	if err != nil {
		t.Fatal(err)
	}
	tc = c.Test
	if tc.Out != "dir" || tc.Depth != 3 || !tc.Quiet || tc.Color || tc.Rate != 1.5 || tc.Lease != 2*time.Second ||
		tc.Max != 2<<10 || tc.PerHost != 7 || tc.Scope != "all" || tc.MaxItems != 5 || len(tc.URLs) != 1 {
		t.Errorf("set: %+v", tc)
	}
}

// TestSlices: a slice splits on ',' unless sep:"none"; each use adds a
// value; the first on the command line replaces the environment's.
func TestSlices(t *testing.T) {
	env := map[string]string{"APP_INCLUDE": "a,b", "APP_TAGS": "x,y"}
	c, _, _, err := parse(t, env, "test")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Test.Include, "|") != "a,b" || strings.Join(c.Test.Tags, "|") != "x|y" {
		t.Errorf("from env: include %q, tags %q", c.Test.Include, c.Test.Tags)
	}
	c, _, _, err = parse(t, env, "test", "--include", "c,d", "--include", "e", "--tags", "p,q", "--tags", "r")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Test.Include, "|") != "c,d|e" || strings.Join(c.Test.Tags, "|") != "p|q|r" {
		t.Errorf("from flags: include %q, tags %q", c.Test.Include, c.Test.Tags)
	}
}

// TestEnv: each flag reads APP_<NAME>, or its env tag's variables in
// order; the command line beats the environment, which beats the default.
func TestEnv(t *testing.T) {
	env := map[string]string{"APP_DEPTH": "5", "APP_PER_HOST": "9", "APP_QUIET": "yes", "TOKEN_B": "b", "APP_MODE": "auto"}
	c, _, _, err := parse(t, env, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c.Test.Depth != 5 || c.Test.PerHost != 9 || !c.Test.Quiet || c.Test.Token != "b" || c.Test.Mode != "auto" {
		t.Errorf("from env: %+v", c.Test)
	}
	env["TOKEN_A"] = "a"
	c, _, _, err = parse(t, env, "test", "-d", "1", "--mode")
	if err != nil {
		t.Fatal(err)
	}
	if c.Test.Depth != 1 || c.Test.Token != "a" || c.Test.Mode != "on" {
		t.Errorf("flags over env: %+v", c.Test)
	}
	_, _, _, err = parse(t, map[string]string{"APP_DEPTH": "x"}, "test")
	if err == nil || err.Error() != `--depth: expected a valid 64 bit int but got "x" (from envar APP_DEPTH="x")` {
		t.Errorf("bad env: %v", err)
	}
	// Only the chosen command reads its environment.
	if _, _, _, err = parse(t, map[string]string{"APP_DEPTH": "x"}, "group", "other", "--index", "i", t.TempDir()); err != nil {
		t.Errorf("another command's bad env: %v", err)
	}
}

// TestOptional: a bare --mode is on; its value follows as --mode=auto or
// --mode auto; a next argument that is no mode is an argument.
func TestOptional(t *testing.T) {
	for _, tc := range []struct {
		args []string
		mode mode
		urls string
	}{
		{nil, "", "u"},
		{[]string{"--mode"}, "on", "u"},
		{[]string{"--mode=off"}, "off", "u"},
		{[]string{"--mode", "auto"}, "auto", "u"},
		{[]string{"--mode", "-q"}, "on", "u"},
		{[]string{"--mode", "x"}, "on", "x u"},
		{[]string{"--out", "--mode", "auto"}, "", "auto u"}, // --out takes "--mode" as its value
		{[]string{"--", "--mode", "auto"}, "", "--mode auto u"},
	} {
		args := append(append([]string{"test"}, tc.args...), "u")
		c, _, _, err := parse(t, nil, args...)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if c.Test.Mode != tc.mode || strings.Join(c.Test.URLs, " ") != tc.urls {
			t.Errorf("%q: mode %q, args %q; want %q, %q", tc.args, c.Test.Mode, c.Test.URLs, tc.mode, tc.urls)
		}
	}
	if _, _, _, err := parse(t, nil, "test", "--mode=maybe"); err == nil || err.Error() != "--mode: not a mode" {
		t.Errorf("--mode=maybe: %v", err)
	}
}

// TestUsageErrors: every bad command line is a *UsageError that names
// the flag, argument or command.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, `expected one of "test", "group"`}, // nil: not os.Args
		{[]string{"nope"}, "unexpected argument nope"},
		{[]string{"group"}, `expected "other"`},
		{[]string{"help"}, "unexpected argument help"},
		{[]string{"test", "--bogus"}, "unknown flag --bogus"},
		{[]string{"test", "-Z"}, "unknown flag -Z"},
		{[]string{"test", "-d", "x"}, `--depth: expected a valid 64 bit int but got "x"`},
		{[]string{"test", "--depth"}, "--depth: missing value"},
		{[]string{"test", "--rate", "fast"}, `--rate: expected a float but got "fast" (string)`},
		{[]string{"test", "--quiet=maybe"}, `--quiet: bool value must be true, 1, yes, false, 0 or no but got "maybe"`},
		{[]string{"test", "--max", "12"}, "--max: bad size 12"},
		{[]string{"test", "--lease", "soon"}, "--lease: expected duration"},
		{[]string{"test", "--scope", "planet"}, `--scope must be one of "host","domain","all" but got "planet"`},
		{[]string{"test", "--cookies", filepath.Join(dir, "none")}, "--cookies: stat " + filepath.Join(dir, "none")},
		{[]string{"test", "--cookies", dir}, "--cookies: " + `"` + dir + `" exists but is a directory`},
		{[]string{"group", "other", "--index", "i"}, `expected "<OUT> ..."`},
		{[]string{"group", "other", dir}, "missing flags: --index=DSN"},
		{[]string{"group", "other", "--index", "i", file}, "<OUT> ...: " + `"` + file + `" exists but is not a directory`},
	} {
		_, ran, _, err := parse(t, nil, tc.args...)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || ran != nil {
			t.Errorf("%q: error %v (ran %v), want a *UsageError saying %q", tc.args, err, ran != nil, tc.want)
		}
	}
	c, _, _, err := parse(t, nil, "group", "other", "--index", "i", dir, ".")
	abs, _ := filepath.Abs(".")
	if err != nil || strings.Join(c.Group.Other.Out, " ") != dir+" "+abs {
		t.Errorf("existing dirs: %q, %v", c.Group.Other.Out, err)
	}
	c, _, _, err = parse(t, nil, "test", "--cookies", file)
	if err != nil || c.Test.Cookies != file {
		t.Errorf("existing file: %q, %v", c.Test.Cookies, err)
	}
}

// TestHelp: -h and --help print the help to stdout, run nothing and are
// no error; the help shows every visible flag with its short name,
// placeholder or default, interpolated help and environment variable.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"test", "--help"}, {"group", "other", "-h"}} {
		_, ran, out, err := parse(t, nil, args...)
		if err != nil || ran != nil || !strings.HasPrefix(out, "Usage: app") {
			t.Errorf("%q: err %v, ran %v, out:\n%s", args, err, ran != nil, out)
		}
	}
	_, _, out, _ := parse(t, nil, "test", "--help")
	for _, want := range []string{
		"Usage: app test [<URL> ...] [flags]\n\nTest things.\n",
		"  [<URL> ...]    Seeds.",
		"  -h, --help ",
		"  -o, --out=DIR ",
		"Where ($APP_OUT).",
		"  -d, --depth=2 ",
		"      --[no-]color ",
		"--mode[=on|off|auto] ",
		"--max=1k ",
		"--per-host=4 ",
		"Per host (default 4) ($APP_PER_HOST).",
		`--scope="host" `,
		"Token ($TOKEN_A, $TOKEN_B).",
		"--max-items=MAX-ITEMS ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	for _, no := range []string{"lease", "skip", "hidden", "no-color "} {
		if strings.Contains(out, "--"+no) {
			t.Errorf("help shows --%s:\n%s", no, out)
		}
	}
	_, _, out, _ = parse(t, nil, "--help")
	for _, want := range []string{"Usage: app <command>\n\nAn app.\n", "  test [<URL> ...] [flags]\n    Test things.\n",
		"  group other --index=DSN <OUT> ...\n    Other things.\n", `Run "app <command> --help"`} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

// TestBuildErrors: a tag the binder cannot honour fails Build.
func TestBuildErrors(t *testing.T) {
	for _, v := range []any{
		&struct {
			A int `default:"${nope}"`
		}{},
		&struct {
			A int `default:"x"`
		}{},
		&struct {
			A string `type:"url"`
		}{},
		&struct {
			A int `negatable:""`
		}{},
		&struct{ A map[string]string }{},
		struct{}{},
	} {
		if _, err := Build("x", "", v, nil, ""); err == nil {
			t.Errorf("%T: no error", v)
		}
	}
}

func TestNames(t *testing.T) {
	c := &struct {
		MaxPageSize  int
		URLList      string
		IgnoreRobots bool
	}{}
	n, err := Build("x", "", c, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range n.Flags {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "max-page-size url-list ignore-robots" {
		t.Errorf("names %s", got)
	}
	n.WriteHelp(io.Discard)
}
