package cliflags

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// helpWidth is the width the help is wrapped to.
const helpWidth = 80

// helpFlag is the flag every command has.
var helpFlag = &Flag{Name: "help", Short: "h", Help: "Show context-sensitive help.", Bool: true}

// Path is the command's name with its parents': "imgcrawl index import".
func (n *Node) Path() string {
	if n.Parent == nil {
		return n.Name
	}
	return n.Parent.Path() + " " + n.Name
}

// summary is the command as its usage line shows it: its path, required
// flags, arguments, and [flags] when it has others.
func (n *Node) summary() string {
	parts := []string{n.Path()}
	if len(n.Children) > 0 {
		parts = append(parts, "<command>")
	}
	others := false
	for _, f := range n.Flags {
		if f.Required {
			parts = append(parts, f.summary())
		} else if !f.Hidden {
			others = true
		}
	}
	for _, a := range n.Args {
		parts = append(parts, a.summary(true))
	}
	if others {
		parts = append(parts, "[flags]")
	}
	return strings.Join(parts, " ")
}

func (a *Arg) summary(brackets bool) string {
	s := "<" + a.Name + ">"
	if a.Variadic {
		s += " ..."
	}
	if brackets && a.Optional {
		s = "[" + s + "]"
	}
	return s
}

func (f *Flag) summary() string {
	switch {
	case f.Bool && f.Negatable:
		return "--[no-]" + f.Name
	case f.Bool:
		return "--" + f.Name
	case f.Value.bare != "": // the value is optional
		return "--" + f.Name + "[=" + f.placeholder() + "]"
	}
	return "--" + f.Name + "=" + f.placeholder()
}

// placeholder names the flag's value: the placeholder tag, else the
// default (quoted, for a string), else the flag's name.
func (f *Flag) placeholder() string {
	tail := ""
	if f.Value.sep != "" {
		tail = f.Value.sep + "..."
	}
	switch {
	case f.Placeholder != "":
		return f.Placeholder + tail
	case f.HasDefault && f.Value.kind == "string":
		return strconv.Quote(f.Default) + tail
	case f.HasDefault:
		return f.Default + tail
	}
	return strings.ToUpper(f.Name) + tail
}

// WriteHelp writes n's help: usage line, help text, arguments, flags and,
// for a command with subcommands, the leaf commands below it.
func (n *Node) WriteHelp(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n", n.summary())
	if n.Help != "" {
		b.WriteString("\n" + wrap(n.Help, helpWidth) + "\n")
	}
	if len(n.Args) > 0 {
		b.WriteString("\nArguments:\n")
		var rows [][2]string
		for _, a := range n.Args {
			rows = append(rows, [2]string{"  " + a.summary(true), a.Help})
		}
		columns(&b, rows)
	}
	b.WriteString("\nFlags:\n")
	short := helpFlag.Short != ""
	for _, f := range n.Flags {
		short = short || f.Short != ""
	}
	rows := [][2]string{helpFlag.row(short)}
	if len(n.Flags) > 0 {
		rows = append(rows, [2]string{})
	}
	for _, f := range n.Flags {
		if !f.Hidden {
			rows = append(rows, f.row(short))
		}
	}
	columns(&b, rows)
	if len(n.Children) > 0 {
		b.WriteString("\nCommands:\n")
		for i, leaf := range n.leaves() {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "  %s\n", strings.TrimPrefix(leaf.summary(), n.root().Name+" "))
			if leaf.Help != "" {
				b.WriteString(indent(wrap(leaf.Help, helpWidth-4), "    ") + "\n")
			}
		}
		if n.Parent == nil {
			fmt.Fprintf(&b, "\nRun \"%s <command> --help\" for more information on a command.\n", n.Name)
		}
	}
	io.WriteString(w, b.String())
}

func (n *Node) root() *Node {
	for n.Parent != nil {
		n = n.Parent
	}
	return n
}

func (n *Node) leaves() []*Node {
	var l []*Node
	for _, c := range n.Children {
		if len(c.Children) == 0 {
			l = append(l, c)
		} else {
			l = append(l, c.leaves()...)
		}
	}
	return l
}

// row is the flag's line of the help: "-d, --depth=2" and its help, with
// its environment variables.
func (f *Flag) row(short bool) [2]string {
	left := "  "
	switch {
	case f.Short != "":
		left += "-" + f.Short + ", "
	case short:
		left += "    "
	}
	left += f.summary()
	help := f.Help
	if len(f.Envs) > 0 {
		envs := "($" + strings.Join(f.Envs, ", $") + ")"
		if h, ok := strings.CutSuffix(help, "."); ok {
			help = h + " " + envs + "."
		} else {
			help = strings.TrimSpace(help + " " + envs)
		}
	}
	return [2]string{left, help}
}

// columns writes rows as two columns; a left cell too wide for the first
// column gets a line of its own.
func columns(b *strings.Builder, rows [][2]string) {
	const maxLeft, pad = 30, 4
	left := 0
	for _, r := range rows {
		if len(r[0]) > left && len(r[0]) < maxLeft {
			left = len(r[0])
		}
	}
	offset := strings.Repeat(" ", left+pad)
	for _, r := range rows {
		lines := strings.Split(wrap(r[1], helpWidth-left-pad), "\n")
		line := fmt.Sprintf("%-*s", left, r[0])
		if len(r[0]) < maxLeft {
			line += strings.Repeat(" ", pad) + lines[0]
			lines = lines[1:]
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		for _, l := range lines {
			b.WriteString(offset + l + "\n")
		}
	}
}

// wrap fills text into lines of at most width columns (a longer word
// stays whole).
func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return strings.Join(append(lines, line), "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
