package redis

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// Options configures a worker's view of a job. The zero value of each field
// means its documented default, except Job, which is required.
type Options struct {
	// Job names the crawl: every process opened with the same Redis and Job
	// works on one crawl. Letters, digits and . _ - : only, at most 128
	// bytes. JobName derives a stable default from the seeds and settings.
	Job string
	// Lease is how long an item handed to this worker stays its own without
	// renewal; when it runs out (the worker died) another worker gets the
	// item. Default 30s.
	Lease time.Duration
	// Renew is how often this worker extends its leases (and its per-host
	// request slots). Default Lease/3; it must be shorter than Lease.
	Renew time.Duration
	// Worker names this process in the job; default host-pid-random.
	// Two live workers must not share a name.
	Worker string
	// PerHost is the cap on requests in flight per host, for the whole job
	// (default 4).
	PerHost int
	// HostRate is requests per second per host for the whole job; 0 =
	// unlimited (robots.txt Crawl-delay can still slow a host down).
	HostRate float64
	// Rate is requests per second in total for the whole job; 0 = unlimited.
	Rate float64
	// Join makes Open join an existing job only: without it, Open creates
	// the job when Redis holds none (a worker with the crawl's seeds); with
	// it, Open fails with ErrNoJob (a worker that would take the seeds from
	// the job, and must not start an empty one after Redis lost it).
	Join bool
}

// Defaults.
const (
	DefaultLease   = 30 * time.Second
	DefaultPerHost = 4
)

// maxDepth bounds item depths: the ready-pages set scores a page by
// depth*2^33 + sequence, which must stay below 2^53 to be exact.
const maxDepth = 1<<20 - 1

func (o Options) withDefaults() (Options, error) {
	if err := checkJob(o.Job); err != nil {
		return o, err
	}
	if o.Lease == 0 {
		o.Lease = DefaultLease
	}
	if o.Lease < 10*time.Millisecond {
		return o, fmt.Errorf("redis: lease %v is too short", o.Lease)
	}
	if o.Renew == 0 {
		o.Renew = o.Lease / 3
	}
	if o.Renew <= 0 || o.Renew >= o.Lease {
		return o, fmt.Errorf("redis: renew interval %v must be positive and shorter than the lease %v", o.Renew, o.Lease)
	}
	if o.Worker == "" {
		o.Worker = workerName()
	}
	if o.PerHost == 0 {
		o.PerHost = DefaultPerHost
	}
	if o.PerHost < 0 {
		return o, fmt.Errorf("redis: per-host cap %d must be positive", o.PerHost)
	}
	if o.HostRate < 0 || o.Rate < 0 {
		return o, errors.New("redis: rates must be >= 0")
	}
	return o, nil
}

func checkJob(job string) error {
	if job == "" {
		return errors.New("redis: no job name")
	}
	if len(job) > 128 {
		return fmt.Errorf("redis: job name %.20q... is longer than 128 bytes", job)
	}
	for _, r := range job {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-:", r)
		if !ok {
			return fmt.Errorf("redis: job name %q: only letters, digits and . _ - : are allowed", job)
		}
	}
	return nil
}

func workerName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// JobName returns a stable default job name for a crawl: "job-" and 12 hex
// digits of a SHA-256 over the seeds (in any order; duplicates count once)
// and the settings string, which the caller builds from whatever must match
// for two workers to share the crawl.
func JobName(seeds []string, settings string) string {
	s := slices.Clone(seeds)
	slices.Sort(s)
	s = slices.Compact(s)
	h := sha256.New()
	for _, seed := range s {
		h.Write([]byte(seed))
		h.Write([]byte{'\n'})
	}
	h.Write([]byte{0})
	h.Write([]byte(settings))
	return "job-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// keys names the Redis keys of one job. The job sits in a hash tag, so a
// Redis Cluster keeps all of a job's keys in one slot (the scripts touch
// several at once).
type keys struct {
	prefix string
}

func newKeys(job string) keys { return keys{prefix: "imgcrawl:{" + job + "}:"} }

func (k keys) name(s string) string { return k.prefix + s }

// frontier returns the KEYS of the frontier scripts, in their order.
func (k keys) frontier() []string {
	return []string{k.name("seen"), k.name("rec"), k.name("data"), k.name("own"), k.name("cnt"),
		k.name("delayed"), k.name("rp"), k.name("ri"), k.name("seq"), k.name("leases"), k.name("ld"), k.gen()}
}

func (k keys) gen() string     { return k.name("gen") }
func (k keys) workers() string { return k.name("workers") }

func (k keys) meta() string            { return k.name("meta") }
func (k keys) content() string         { return k.name("content") }
func (k keys) counts() string          { return k.name("cnt") }
func (k keys) globalRate() string      { return k.name("rate") }
func (k keys) host(host string) string { return k.name("host:" + host) }
func (k keys) slots(host string) string {
	return k.name("slots:" + host)
}

// redactURL hides a password in a Redis URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
