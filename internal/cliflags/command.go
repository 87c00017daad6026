package cliflags

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// UsageError is a bad command line: an unknown command or flag, a bad or
// missing value or argument.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Execute parses args against the command tree n and runs the command
// they choose: run gets its Target (a pointer to its struct, with every
// flag and argument set). The chosen command's flags are first set from
// their environment variables (lookupEnv; the command line overrides).
// Help (-h, --help) goes to stdout. Execute returns run's error, or a
// *UsageError when the command line is wrong.
func Execute(n *Node, args []string, stdout io.Writer, lookupEnv func(string) (string, bool), run func(target any) error) error {
	var runErr error
	nodes := map[*cobra.Command]*Node{}
	root := n.command(stdout, nodes, run, &runErr)
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetHelpCommand(&cobra.Command{Use: "help", Hidden: true, Args: cobra.ArbitraryArgs,
		RunE: func(*cobra.Command, []string) error {
			return &UsageError{fmt.Errorf("unexpected argument help")}
		}})
	root.SetOut(stdout)
	root.SetErr(io.Discard) // errors are returned, not printed
	if c, _, err := root.Find(args); err == nil {
		if err := nodes[c].ApplyEnv(lookupEnv); err != nil {
			return &UsageError{err}
		}
		args = JoinOptional(args, c.Flags())
	}
	if args == nil {
		args = []string{} // not nil: cobra would read os.Args
	}
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		if _, ok := err.(*UsageError); ok {
			return err
		}
		return &UsageError{err}
	}
	return runErr
}

func (n *Node) command(stdout io.Writer, nodes map[*cobra.Command]*Node, run func(any) error, runErr *error) *cobra.Command {
	c := &cobra.Command{
		Use: n.Name, Short: n.Help, Args: cobra.ArbitraryArgs,
		SilenceErrors: true, SilenceUsage: true, DisableFlagsInUseLine: true,
	}
	nodes[c] = n
	fs := c.Flags()
	fs.BoolP(helpFlag.Name, helpFlag.Short, false, helpFlag.Help)
	n.Register(fs)
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{ErrFlag(err)} })
	c.SetHelpFunc(func(*cobra.Command, []string) { n.WriteHelp(stdout) })
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(n.Children) > 0 {
			if len(args) > 0 {
				return &UsageError{fmt.Errorf("unexpected argument %s", args[0])}
			}
			names := make([]string, len(n.Children))
			for i, ch := range n.Children {
				names[i] = fmt.Sprintf("%q", ch.Name)
			}
			switch {
			case len(names) == 1:
				return &UsageError{fmt.Errorf("expected %s", names[0])}
			case len(names) > 5:
				names = append(names[:5], "...")
			}
			return &UsageError{fmt.Errorf("expected one of %s", strings.Join(names, ", "))}
		}
		if err := n.Check(args, c.Flags()); err != nil {
			return &UsageError{err}
		}
		*runErr = run(n.Target)
		return nil
	}
	for _, ch := range n.Children {
		c.AddCommand(ch.command(stdout, nodes, run, runErr))
	}
	return c
}
