// Package redis keeps a crawl's state in Redis, so that several
// imgcrawl processes, on one machine or many, crawl as one job. It is a
// package of its own so that programs embedding imgcrawl without Redis do
// not link a Redis client.
//
// Open joins a job (every worker opened with the same Redis and job name
// shares it) and returns a State, which implements state.State, and whose
// Gate implements fetch.Gate for the whole job:
//
//   - The seen set holds 16-byte state.Keys; Add tests, sets and enqueues
//     each key in one Lua script, so two workers never both add a URL.
//   - Take hands items out under a lease that the worker renews in the
//     background. A worker that dies (kill -9, lost network) stops renewing;
//     when the lease runs out, the next Take anywhere in the job hands the
//     item to another worker. A late Done from the first worker completes
//     the item once; the shared content index makes a second download of
//     the same image a duplicate rather than a second file.
//   - Pages are handed out breadth-first across the job: a per-depth count
//     of ready and leased pages, kept by the scripts, holds deeper pages
//     back. Items waiting for a not-before time hold nothing back.
//   - The job is finished when Counts shows nothing pending: nothing ready,
//     delayed or leased anywhere.
//   - The Gate keeps the per-host cap (slots with leases), per-host and
//     total rates (GCRA), Crawl-delay and Retry-After pauses in Redis, so
//     they hold for the job, not per worker.
//   - A job has a generation, written when it is created and remembered by
//     each worker; every script checks it. A job that vanished from Redis
//     (a restart without persistence, FLUSHALL, eviction, a failover to a
//     replica without it) fails every call with a *JobLostError rather than
//     looking finished or new. Replies that pass by themselves (LOADING,
//     READONLY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN) are state.ErrUnavailable.
//   - Workers heartbeat into the job; Status reads a job, its queue and its
//     workers without joining it.
//
// Every key of a job starts with "imgcrawl:{JOB}:", the job being a hash
// tag, so a Redis Cluster keeps a job on one slot. Durability is the
// server's: run Redis with appendonly yes to survive its crash, and
// maxmemory-policy noeviction; State.Warnings says when it is not so.
//
// Files:
//
//   - options.go: Options, JobName and the key names.
//   - client.go: the URL forms: one server, Sentinel, Cluster.
//   - state.go: State, Open, Close, settings, content index, counts and
//     lease renewal.
//   - lost.go: the job's generation, JobLostError, error classes.
//   - settings.go: the server settings that put a job at risk.
//   - fleet.go: heartbeats and Status.
//   - frontier.go: Add, Take, Requeue, Done and the stored item encoding.
//   - scripts.go: the frontier's Lua scripts.
//   - gate.go: Gate, the shared per-host politeness.
package redis
