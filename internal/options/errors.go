package options

import (
	"errors"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// Error is a bad option value. Option is the option's name as a flag
// without its dashes and as a JSON key: "per-host", "max-size".
type Error struct {
	Option string
	Err    error
}

// Error writes "--per-host: must be > 0, got 0".
func (e *Error) Error() string { return "--" + e.Option + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Check validates cfg as crawler.New would and returns its problem as an
// *Error naming the option, when the field at fault is one an option sets.
// Other problems are returned as they are.
func Check(cfg crawler.Config) error {
	return Named(cfg.Validate())
}

// Named turns a *crawler.ConfigError about a field an option sets into an
// *Error naming that option; it returns any other error unchanged.
func Named(err error) error {
	var ce *crawler.ConfigError
	if errors.As(err, &ce) && configOptions[ce.Field] {
		return &Error{Option: ce.Field, Err: ce.Err}
	}
	return err
}

// configOptions are the crawler.ConfigError fields an option of the same
// name sets.
var configOptions = map[string]bool{
	"depth": true, "concurrency": true, "per-host": true, "rate": true, "host-rate": true,
	"retries": true, "scope": true, "include": true, "exclude": true, "layout": true,
	"min-width": true, "min-height": true, "skip-ext": true, "srcset": true,
	"max-stylesheet-size": true, "render": true, "render-tabs": true, "render-match": true,
}
