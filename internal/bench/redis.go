package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
)

// errNoRedis marks a redis workload that cannot run on this machine.
var errNoRedis = errors.New("redis-server not found (apt-get install -y redis-server)")

// redisServer is a redis-server child process with no persistence.
type redisServer struct {
	*redistest.Server
	url string // redis://127.0.0.1:PORT/0
}

// startRedis starts redis-server on a free loopback port, keeping its files
// and log in dir, and waits until it answers PING.
func startRedis(dir string) (*redisServer, error) {
	s, err := redistest.Launch(dir)
	if errors.Is(err, redistest.ErrNotInstalled) {
		return nil, errNoRedis
	}
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return &redisServer{Server: s, url: "redis://" + s.Addr + "/0"}, nil
}

func (r *redisServer) stop() { r.Stop() }

// runShared runs procs crawler processes at once, each with args (a
// subcommand and its flags) plus its own -o folder under out, and returns one measure for the group: wall time
// from the first start to the last exit, the sum of CPU times, the largest
// peak RSS, and every process's stderr.
func runShared(e *env, procs int, out string, args []string) (measure, []string, error) {
	ms := make([]measure, procs)
	errs := make([]error, procs)
	dirs := make([]string, procs)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range procs {
		dirs[i] = filepath.Join(out, "w"+strconv.Itoa(i))
		wg.Go(func() {
			a := append([]string{args[0], "-o", dirs[i]}, args[1:]...)
			ms[i], errs[i] = runChild(e, e.bin("imgcrawl"), a...)
		})
	}
	wg.Wait()
	group := measure{wall: time.Since(start)}
	for i, m := range ms {
		group.cpu += m.cpu
		group.rssKiB = max(group.rssKiB, m.rssKiB)
		group.stderr += m.stderr
		if errs[i] != nil {
			return group, dirs, errs[i]
		}
	}
	return group, dirs, nil
}

// redisScripts returns how many scripts (EVALSHA and EVAL) the Redis at
// url has run, from INFO commandstats; 0 when url is "" or the server does
// not answer. Every state and gate call of a worker is one script, one
// round trip (two when the server did not have the script yet); the
// commands a script runs inside are not counted.
func redisScripts(url string) int64 {
	if url == "" {
		return 0
	}
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return 0
	}
	opt.Protocol, opt.DisableIdentity = 2, true
	c := goredis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := c.Info(ctx, "commandstats").Result()
	if err != nil {
		return 0
	}
	var total int64
	for line := range strings.SplitSeq(info, "\n") {
		name, stats, ok := strings.Cut(line, ":calls=")
		if !ok || (name != "cmdstat_evalsha" && name != "cmdstat_eval") {
			continue
		}
		calls, _, _ := strings.Cut(stats, ",")
		n, _ := strconv.ParseInt(calls, 10, 64)
		total += n
	}
	return total
}
