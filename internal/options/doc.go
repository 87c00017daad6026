// Package options holds the crawl options that the imgcrawl command takes as
// flags and the service (imgcrawl serve) takes as the JSON options of a job,
// so that both name, parse, default and validate them the same way.
//
// Each option struct carries flag tags (read by internal/cliflags) and a
// JSON tag equal to the flag's name without its dashes ("per-host",
// "max-size"); Apply copies it into a crawler.Config and reports a bad value as an *Error naming the
// option. Defaults returns the values the flags default to.
//
// Files:
//
//   - types.go: ByteSize and Duration, read from "10MiB" and "5s" as flags
//     and in JSON.
//   - fetch.go: Fetch, the options of every command that downloads.
//   - images.go: Images, which images are kept and how they are written.
//   - crawl.go: Crawl, the options of a crawl from seed pages.
//   - errors.go: Error, and Check, which names the option behind a
//     *crawler.ConfigError.
//   - defaults.go: Vars (the defaults as variables of the flags' tags) and Defaults.
package options
