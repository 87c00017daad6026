// Package fetch is imgcrawl's HTTP layer: a client with connect, header and
// body-idle timeouts (no whole-request timeout), size caps that fail instead
// of truncating, an address policy enforced at dial time, typed errors and a
// retry policy (client.go, body.go, dial.go, errors.go, retry.go,
// cookies.go); credentials sent only to the origins the caller names
// (credentials.go); gzip, brotli and zstd bodies decoded under the size cap
// (decode.go); per-host politeness that never blocks a worker (hosts.go); one
// budget of connection tries per host, so a dead host fails fast (reach.go);
// and robots.txt per RFC 9309 with its fetch and cache rules (robots.go,
// robotscache.go). It knows nothing about HTML or disk.
package fetch
