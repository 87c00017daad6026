package redis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// checkSettings reads the persistence and eviction settings of the server
// (every master, in a Cluster) and says what in them can lose the job. A
// server that refuses CONFIG GET (a managed Redis, a renamed command) gets
// no warnings: nothing is known.
func (s *State) checkSettings(ctx context.Context) []string {
	var (
		mu    sync.Mutex
		warns []string
	)
	check := func(ctx context.Context, c *goredis.Client) error {
		w := settingsWarnings(ctx, c)
		mu.Lock()
		warns = append(warns, w...)
		mu.Unlock()
		return nil
	}
	switch c := s.rdb.(type) {
	case *goredis.ClusterClient:
		_ = c.ForEachMaster(ctx, check)
	case *goredis.Client:
		_ = check(ctx, c)
	}
	slices.Sort(warns)
	return slices.Compact(warns)
}

// settingsWarnings checks one server.
func settingsWarnings(ctx context.Context, c *goredis.Client) []string {
	cfg, err := c.ConfigGet(ctx, "*").Result()
	if err != nil {
		return nil
	}
	return judgeSettings(c.Options().Addr, cfg)
}

// judgeSettings says what in a server's settings (CONFIG GET) can lose a
// job: no persistence at all, or a maxmemory-policy that evicts keys.
func judgeSettings(addr string, cfg map[string]string) []string {
	var out []string
	aof, hasAOF := cfg["appendonly"]
	save, hasSave := cfg["save"]
	if hasAOF && hasSave && aof != "yes" && strings.TrimSpace(save) == "" {
		out = append(out, fmt.Sprintf(`redis at %s keeps no data across a restart (appendonly %s, save ""): `+
			`a restart loses the job and its workers stop; set appendonly yes`, addr, aof))
	}
	if p, ok := cfg["maxmemory-policy"]; ok && p != "noeviction" {
		out = append(out, fmt.Sprintf("redis at %s evicts keys when memory runs short (maxmemory-policy %s, maxmemory %s): "+
			"an eviction can lose the job and its workers stop; set maxmemory-policy noeviction", addr, p, cfg["maxmemory"]))
	}
	return out
}
