package redis

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Topology says how a job's Redis is deployed, as Open found it.
type Topology string

// The topologies Open knows.
const (
	Single   Topology = "single"   // one server (perhaps with replicas no one fails over to)
	Sentinel Topology = "sentinel" // a master that Redis Sentinel fails over (master_name=)
	Cluster  Topology = "cluster"  // a Redis Cluster (found by asking the server)
)

// connect returns a client for redisURL and a description of where it
// points, for messages:
//
//   - redis://[user:pass@]HOST:PORT/DB (rediss:// for TLS, unix:// for a
//     socket): one server. When that server is a Cluster node, the client
//     is a Cluster client, seeded with HOST:PORT and any addr=HOST:PORT
//     parameters.
//   - redis://[user:pass@]SENTINEL:PORT/DB?master_name=NAME[&addr=SENTINEL2:PORT...]:
//     the master NAME, found through the Sentinels (go-redis's failover
//     URL; the master's password goes in password=).
//
// Its errors say what was wrong, with the package prefix.
func connect(ctx context.Context, redisURL string) (goredis.UniversalClient, Topology, string, error) {
	bad := func(err error) error {
		return fmt.Errorf("redis: bad redis URL %q: %w", redactURL(redisURL), err)
	}
	unreachable := func(where string, err error) error {
		return fmt.Errorf("redis: cannot reach redis at %s: %w", where, err)
	}
	u, err := url.Parse(redisURL)
	if err != nil {
		return nil, "", "", bad(err)
	}
	q := u.Query()
	if q.Has("master_name") {
		fo, err := goredis.ParseFailoverURL(redisURL)
		if err != nil {
			return nil, "", "", bad(err)
		}
		fo.Protocol, fo.DisableIdentity = 2, true
		fo.DialTimeout = nonZero(fo.DialTimeout, 2*time.Second)
		c := goredis.NewFailoverClient(fo)
		where := fmt.Sprintf("master %s via sentinel %s", fo.MasterName, strings.Join(fo.SentinelAddrs, ","))
		if err := ping(ctx, c, fo.DialTimeout); err != nil {
			c.Close()
			return nil, "", where, unreachable(where, err)
		}
		return c, Sentinel, where, nil
	}
	addrs := q["addr"]
	q.Del("addr")
	single := *u
	single.RawQuery = q.Encode()
	ropt, err := goredis.ParseURL(single.String())
	if err != nil {
		return nil, "", "", bad(err)
	}
	quietOptions(ropt)
	db := ropt.DB
	ropt.DB = 0 // a Cluster node refuses SELECT
	c := goredis.NewClient(ropt)
	if err := ping(ctx, c, ropt.DialTimeout); err != nil {
		c.Close()
		return nil, "", ropt.Addr, unreachable(ropt.Addr, err)
	}
	cluster := isCluster(ctx, c)
	c.Close()
	if !cluster {
		if len(addrs) > 0 {
			return nil, "", ropt.Addr, bad(fmt.Errorf("addr= lists the nodes of a Redis Cluster or the Sentinels of a master_name=, and %s is neither", ropt.Addr))
		}
		ropt.DB = db
		c := goredis.NewClient(ropt)
		if err := ping(ctx, c, ropt.DialTimeout); err != nil {
			c.Close()
			return nil, "", ropt.Addr, unreachable(ropt.Addr, err)
		}
		return c, Single, ropt.Addr, nil
	}
	if db != 0 {
		return nil, "", ropt.Addr, bad(fmt.Errorf("a Redis Cluster has database 0 only, not %d", db))
	}
	cu := *u
	cu.Path = ""
	co, err := goredis.ParseClusterURL(cu.String())
	if err != nil {
		return nil, "", ropt.Addr, bad(err)
	}
	co.Protocol, co.DisableIdentity = 2, true
	// go-redis asks the nodes who serves what every minute, and at once
	// on a MOVED reply; a dead master sends none, so ask more often (and
	// classify asks after a failed call too).
	co.ClusterStateReloadInterval = 2 * time.Second
	co.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	cc := goredis.NewClusterClient(co)
	where := "cluster via " + strings.Join(co.Addrs, ",")
	if err := ping(ctx, cc, ropt.DialTimeout); err != nil {
		cc.Close()
		return nil, "", where, unreachable(where, err)
	}
	return cc, Cluster, where, nil
}

// quietOptions keeps a plain client quiet: no client-name handshake or
// push notifications that an older server answers with errors the client
// would log.
func quietOptions(o *goredis.Options) {
	o.Protocol = 2
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

func nonZero(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func ping(ctx context.Context, c goredis.UniversalClient, dial time.Duration) error {
	pctx, cancel := context.WithTimeout(ctx, nonZero(dial, 5*time.Second)+time.Second)
	defer cancel()
	return c.Ping(pctx).Err()
}

// isCluster asks a server whether it is a Cluster node. A server that
// refuses INFO (renamed away) is taken as a single one.
func isCluster(ctx context.Context, c *goredis.Client) bool {
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := c.Info(ictx, "cluster").Result()
	return err == nil && strings.Contains(info, "cluster_enabled:1")
}
