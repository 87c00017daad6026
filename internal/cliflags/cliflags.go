// Package cliflags makes command-line flags and subcommands (cobra and
// pflag) out of tagged structs, so that the struct tags stay the one
// description of each option: the imgcrawl command reads internal/options'
// structs as flags, the service reads the same structs as JSON.
//
// It reads struct fields and tags by reflection, never methods: the
// commands run through a Go interface the caller asserts (see Build's run),
// so the linker can still drop unused methods.
//
// Tags (a field without any is still a flag, named after the field):
//
//	cmd:""                 the field (a struct) is a subcommand
//	arg:""                 a positional argument ([]string takes the rest)
//	optional:""            with arg: may be missing
//	name:"per-host"        the flag's or argument's name (default: the field's, dashed)
//	short:"d"              a one-letter alias: -d
//	help:"..."             the help text; ${var}, ${default} and ${enum} are interpolated
//	default:"..."          the value when no flag or environment variable gives one (interpolated)
//	placeholder:"DIR"      the value's name in the help (default: the default, or the name)
//	enum:"a,b,c"           the allowed values, checked after parsing
//	sep:"none"             a slice flag's separator (default ','); none: one value per use
//	env:"A,B"              environment variables read, first set wins (default: PREFIX_NAME)
//	hidden:""              left out of the help
//	negatable:""           a bool flag that --no-NAME sets to false
//	required:""            must be given
//	type:"existingfile"    (or existingdir) the path must exist; it is made absolute
//	flag:"-"               not a flag (an embedded struct is otherwise flattened)
//
// Values: strings, bools (true, 1, yes, false, 0, no), ints, floats,
// time.Duration, slices of strings, and any type with UnmarshalText (such
// as options.ByteSize). A type with a BareValue method (see Optional) may
// stand alone as a bare flag.
package cliflags

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"
)

// Optional is a flag value whose flag may stand alone ("--render" means
// BareValue) or take a value, as --render=auto or, when AcceptsNext says
// the next argument is one of its values, --render auto.
type Optional interface {
	BareValue() string
	AcceptsNext(arg string) bool
}

// Node is one command: its flags, positional arguments and subcommands.
type Node struct {
	Name, Help string
	Target     any // pointer to the command's struct
	Flags      []*Flag
	Args       []*Arg
	Children   []*Node
	Parent     *Node
}

// Flag is one flag as the tags describe it.
type Flag struct {
	Name, Short, Help, Placeholder string
	Default                        string
	HasDefault                     bool
	Enum                           []string
	Envs                           []string
	Hidden, Required, Bool         bool
	Negatable                      bool
	Value                          *Value
	envSet                         bool
}

// Arg is one positional argument.
type Arg struct {
	Name, Help         string
	Optional, Variadic bool
	value              *Value
}

// Build reads the command tree of the struct root points to: its fields
// tagged cmd:"" are subcommands, the others flags and arguments. vars
// holds the ${name} values of the tags; envPrefix names each flag's
// environment variable (PREFIX_PER_HOST), "" for none. Defaults are set
// at once.
func Build(name, help string, root any, vars map[string]string, envPrefix string) (*Node, error) {
	n := &Node{Name: name, Help: help, Target: root}
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("cliflags: %T is not a pointer to a struct", root)
	}
	b := builder{vars: vars, envPrefix: envPrefix}
	if err := b.fields(n, v.Elem()); err != nil {
		return nil, err
	}
	return n, nil
}

type builder struct {
	vars      map[string]string
	envPrefix string
}

func (b *builder) fields(n *Node, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		sf, fv := t.Field(i), v.Field(i)
		tag := sf.Tag
		if tag.Get("flag") == "-" {
			continue
		}
		_, isCmd := tag.Lookup("cmd")
		_, isArg := tag.Lookup("arg")
		switch {
		case isCmd:
			help, err := interpolate(tag.Get("help"), b.vars)
			if err != nil {
				return fmt.Errorf("cliflags: %s: %w", sf.Name, err)
			}
			child := &Node{Name: nameOf(sf), Help: help, Target: fv.Addr().Interface(), Parent: n}
			if err := b.fields(child, fv); err != nil {
				return err
			}
			n.Children = append(n.Children, child)
		case sf.Anonymous && fv.Kind() == reflect.Struct && !isArg:
			if err := b.fields(n, fv); err != nil {
				return err
			}
		case !sf.IsExported():
		case isArg:
			a, err := b.arg(sf, fv)
			if err != nil {
				return err
			}
			n.Args = append(n.Args, a)
		default:
			f, err := b.flag(sf, fv)
			if err != nil {
				return err
			}
			n.Flags = append(n.Flags, f)
		}
	}
	return nil
}

func (b *builder) arg(sf reflect.StructField, fv reflect.Value) (*Arg, error) {
	_, opt := sf.Tag.Lookup("optional")
	a := &Arg{Name: nameOf(sf), Optional: opt, Variadic: fv.Kind() == reflect.Slice}
	var err error
	if a.Help, err = interpolate(sf.Tag.Get("help"), b.vars); err != nil {
		return nil, fmt.Errorf("cliflags: %s: %w", sf.Name, err)
	}
	if a.value, err = newValue(fv, sf.Tag.Get("type"), "none"); err != nil {
		return nil, fmt.Errorf("cliflags: %s: %w", sf.Name, err)
	}
	return a, nil
}

func (b *builder) flag(sf reflect.StructField, fv reflect.Value) (*Flag, error) {
	tag := sf.Tag
	f := &Flag{Name: nameOf(sf), Short: tag.Get("short"), Placeholder: tag.Get("placeholder")}
	_, f.Hidden = tag.Lookup("hidden")
	_, f.Required = tag.Lookup("required")
	_, f.Negatable = tag.Lookup("negatable")
	fail := func(err error) (*Flag, error) { return nil, fmt.Errorf("cliflags: --%s: %w", f.Name, err) }
	var err error
	if f.Default, f.HasDefault = tag.Lookup("default"); f.HasDefault {
		if f.Default, err = interpolate(f.Default, b.vars); err != nil {
			return fail(err)
		}
	}
	if e := tag.Get("enum"); e != "" {
		for _, s := range strings.Split(e, ",") {
			f.Enum = append(f.Enum, strings.TrimSpace(s))
		}
	}
	if e, ok := tag.Lookup("env"); ok {
		f.Envs = strings.Split(e, ",")
	} else if b.envPrefix != "" {
		f.Envs = []string{b.envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))}
	}
	if f.Value, err = newValue(fv, tag.Get("type"), tag.Get("sep")); err != nil {
		return fail(err)
	}
	f.Bool = fv.Kind() == reflect.Bool
	if f.Negatable && !f.Bool {
		return fail(errors.New("negatable needs a bool"))
	}
	vars := map[string]string{"default": f.Default, "enum": strings.Join(f.Enum, ",")}
	for k, v := range b.vars {
		if _, ok := vars[k]; !ok {
			vars[k] = v
		}
	}
	if f.Help, err = interpolate(tag.Get("help"), vars); err != nil {
		return fail(err)
	}
	if f.HasDefault {
		if err := f.Value.Set(f.Default); err != nil {
			return fail(fmt.Errorf("default %q: %w", f.Default, err))
		}
		f.Value.changed = false
	}
	return f, nil
}

// nameOf is the name tag, or the field's name dashed: MaxPageSize is
// max-page-size.
func nameOf(sf reflect.StructField) string {
	if n := sf.Tag.Get("name"); n != "" {
		return n
	}
	r := []rune(sf.Name)
	var s strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) &&
			(unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			s.WriteByte('-')
		}
		s.WriteRune(unicode.ToLower(c))
	}
	return s.String()
}

// interpolate replaces each ${name} in s with vars[name].
func interpolate(s string, vars map[string]string) (string, error) {
	var out strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			out.WriteString(s)
			return out.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed ${ in %q", s)
		}
		name := s[i+2 : i+j]
		v, ok := vars[name]
		if !ok {
			return "", fmt.Errorf("undefined variable ${%s}", name)
		}
		out.WriteString(s[:i] + v)
		s = s[i+j+1:]
	}
}

// Value is a pflag.Value that sets one struct field.
type Value struct {
	target  reflect.Value
	kind    string // for pflag's Type and the help: "string", "bool", "int", ...
	sep     string // of a slice; "" for one value per use
	set     func(string) (reflect.Value, error)
	changed bool // a slice: set on the command line, so later values append
	bare    string
	accepts func(string) bool
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	textType     = reflect.TypeFor[encoding.TextUnmarshaler]()
	optionalType = reflect.TypeFor[Optional]()
)

func newValue(fv reflect.Value, typ, sep string) (*Value, error) {
	v := &Value{target: fv, kind: fv.Kind().String()}
	t := fv.Type()
	switch {
	case reflect.PointerTo(t).Implements(textType):
		v.kind = "value"
		v.set = func(s string) (reflect.Value, error) {
			p := reflect.New(t)
			err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
			return p.Elem(), err
		}
		if reflect.PointerTo(t).Implements(optionalType) {
			o := reflect.New(t).Interface().(Optional)
			v.bare, v.accepts = o.BareValue(), o.AcceptsNext
		}
		return v, nil
	case t == durationType:
		v.kind = "duration"
		v.set = func(s string) (reflect.Value, error) {
			d, err := time.ParseDuration(s)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("expected duration but got %q: %w", s, err)
			}
			return reflect.ValueOf(d), nil
		}
		return v, nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		v.kind = "strings"
		if sep == "" {
			sep = ","
		}
		if sep != "none" {
			v.sep = sep
		}
		elem, err := scalar(t.Elem(), typ)
		if err != nil {
			return nil, err
		}
		v.set = func(s string) (reflect.Value, error) {
			parts := []string{s}
			if v.sep != "" {
				parts = strings.Split(s, v.sep)
			}
			out := fv
			if !v.changed {
				out = reflect.MakeSlice(t, 0, len(parts))
			}
			for _, p := range parts {
				e, err := elem(p)
				if err != nil {
					return reflect.Value{}, err
				}
				out = reflect.Append(out, e)
			}
			return out, nil
		}
		return v, nil
	}
	var err error
	v.set, err = scalar(t, typ)
	return v, err
}

// scalar parses one value of type t.
func scalar(t reflect.Type, typ string) (func(string) (reflect.Value, error), error) {
	conv := func(x any) reflect.Value { return reflect.ValueOf(x).Convert(t) }
	switch t.Kind() {
	case reflect.String:
		switch typ {
		case "":
			return func(s string) (reflect.Value, error) { return conv(s), nil }, nil
		case "existingfile", "existingdir":
			return func(s string) (reflect.Value, error) {
				p, err := existing(s, typ == "existingdir")
				return conv(p), err
			}, nil
		}
		return nil, fmt.Errorf("unknown type %q", typ)
	case reflect.Bool:
		return func(s string) (reflect.Value, error) {
			switch strings.ToLower(s) {
			case "true", "1", "yes":
				return conv(true), nil
			case "false", "0", "no":
				return conv(false), nil
			}
			return reflect.Value{}, fmt.Errorf("bool value must be true, 1, yes, false, 0 or no but got %q", s)
		}, nil
	case reflect.Int, reflect.Int64:
		return func(s string) (reflect.Value, error) {
			n, err := strconv.ParseInt(s, 0, t.Bits())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("expected a valid %d bit int but got %q", t.Bits(), s)
			}
			return conv(n), nil
		}, nil
	case reflect.Float64:
		return func(s string) (reflect.Value, error) {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("expected a float but got %q (string)", s)
			}
			return conv(n), nil
		}, nil
	}
	return nil, fmt.Errorf("cannot read a %s from the command line", t)
}

// existing checks that path names a file (or a folder) and makes it
// absolute; "-" (stdin) is taken as it is.
func existing(path string, dir bool) (string, error) {
	if path == "-" && !dir {
		return path, nil
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return "", err
	case dir && !st.IsDir():
		return "", fmt.Errorf("%q exists but is not a directory", path)
	case !dir && st.IsDir():
		return "", fmt.Errorf("%q exists but is a directory", path)
	}
	return path, nil
}

// Set parses s into the field. A slice's first value on the command line
// replaces its default; later ones add to it.
func (v *Value) Set(s string) error {
	x, err := v.set(s)
	if err != nil {
		return err
	}
	v.target.Set(x)
	v.changed = true
	return nil
}

// String is the field's value, for pflag.
func (v *Value) String() string {
	if v.target.Kind() == reflect.Slice {
		return fmt.Sprint(v.target.Interface())
	}
	if m, ok := v.target.Interface().(encoding.TextMarshaler); ok {
		b, _ := m.MarshalText()
		return string(b)
	}
	return fmt.Sprint(v.target.Interface())
}

// Type is the value's kind, for pflag.
func (v *Value) Type() string { return v.kind }

// Sep is what a slice flag's value is split on ("" for one value per use).
func (v *Value) Sep() string { return v.sep }

// negated is the --no-NAME of a negatable bool flag.
type negated struct{ *Value }

func (n negated) Set(s string) error {
	b, err := n.set(s)
	if err != nil {
		return err
	}
	return n.Value.Set(strconv.FormatBool(!b.Bool()))
}

// Register adds n's flags to fs.
func (n *Node) Register(fs *pflag.FlagSet) {
	for _, f := range n.Flags {
		pf := fs.VarPF(f.Value, f.Name, f.Short, f.Help)
		switch {
		case f.Bool:
			pf.NoOptDefVal = "true"
		case f.Value.bare != "":
			pf.NoOptDefVal = f.Value.bare
		}
		pf.Hidden = f.Hidden
		if f.Negatable {
			nf := fs.VarPF(negated{f.Value}, "no-"+f.Name, "", "")
			nf.NoOptDefVal, nf.Hidden = "true", true
		}
	}
}

// ApplyEnv sets each flag of n from the first of its environment
// variables that lookup finds. The command line, parsed after, overrides.
func (n *Node) ApplyEnv(lookup func(string) (string, bool)) error {
	for _, f := range n.Flags {
		for _, name := range f.Envs {
			s, ok := lookup(name)
			if !ok {
				continue
			}
			if err := f.Value.Set(s); err != nil {
				return fmt.Errorf("--%s: %w (from envar %s=%q)", f.Name, err, name, s)
			}
			f.Value.changed, f.envSet = false, true
			break
		}
	}
	return nil
}

// Check sets n's positional arguments from args and checks the required
// flags and the enums.
func (n *Node) Check(args []string, fs *pflag.FlagSet) error {
	for _, a := range n.Args {
		switch {
		case len(args) == 0 && !a.Optional:
			return fmt.Errorf("expected %q", a.summary(false))
		case len(args) == 0:
		case a.Variadic:
			for _, s := range args {
				if err := a.value.Set(s); err != nil {
					return fmt.Errorf("%s: %w", a.summary(false), err)
				}
			}
			args = nil
		default:
			if err := a.value.Set(args[0]); err != nil {
				return fmt.Errorf("%s: %w", a.summary(false), err)
			}
			args = args[1:]
		}
	}
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %s", args[0])
	}
	var missing []string
	for _, f := range n.Flags {
		if f.Required && (fs == nil || !fs.Changed(f.Name)) && !f.envSet {
			missing = append(missing, f.summary())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing flags: %s", strings.Join(missing, ", "))
	}
	for _, f := range n.Flags {
		if len(f.Enum) == 0 {
			continue
		}
		s := f.Value.String()
		ok := false
		for _, e := range f.Enum {
			ok = ok || s == e
		}
		if !ok {
			return fmt.Errorf("--%s must be one of %s but got %q", f.Name, quoteList(f.Enum), s)
		}
	}
	return nil
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ",")
}

// JoinOptional rewrites "--flag value" into "--flag=value" for each flag
// of fs whose value is Optional and accepts the next argument, so that
// pflag, which reads a bare optional flag as its BareValue, gets it.
func JoinOptional(args []string, fs *pflag.FlagSet) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		switch {
		case a == "--":
			return append(out, args[i+1:]...)
		case strings.HasPrefix(a, "--"):
			name, _, eq := strings.Cut(a[2:], "=")
			f := fs.Lookup(name)
			if f == nil || eq || i+1 == len(args) {
				continue
			}
			if v, ok := f.Value.(*Value); ok && v.accepts != nil {
				if v.accepts(args[i+1]) {
					out[len(out)-1] = a + "=" + args[i+1]
					i++
				}
			} else if f.NoOptDefVal == "" {
				out = append(out, args[i+1]) // the flag's value, whatever it looks like
				i++
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				f := fs.ShorthandLookup(a[j : j+1])
				if f == nil || f.NoOptDefVal != "" {
					continue
				}
				if j == len(a)-1 && i+1 < len(args) {
					out = append(out, args[i+1])
					i++
				}
				break
			}
		}
	}
	return out
}

// ErrFlag rewords pflag's parse errors as "--flag: problem".
func ErrFlag(err error) error {
	var iv *pflag.InvalidValueError
	var vr *pflag.ValueRequiredError
	var ne *pflag.NotExistError
	switch {
	case errors.As(err, &iv):
		return fmt.Errorf("--%s: %w", iv.GetFlag().Name, iv.Unwrap())
	case errors.As(err, &vr):
		return fmt.Errorf("--%s: missing value", vr.GetFlag().Name)
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		return fmt.Errorf("unknown flag -%s", ne.GetSpecifiedName()[:1])
	case errors.As(err, &ne):
		return fmt.Errorf("unknown flag --%s", ne.GetSpecifiedName())
	}
	return err
}
