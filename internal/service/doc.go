// Package service is imgcrawl serve: crawl and get jobs run in the
// background, with a JSON API, Server-Sent Events, a dashboard with a
// gallery, and Prometheus metrics. It is a view and a control over crawls
// that run exactly as the imgcrawl command runs them (the same options,
// crawler.New and Run on a bbolt state); it has no crawl path of its own.
//
// A Manager keeps each job under DATA/jobs/ID: job.json (the Record) and
// out, an OUT as the command writes it. A bounded number of jobs run at
// once, the rest wait in a queue, and every job's requests go through one
// shared politeness gate (a fetch.Hosts) besides its own limits, so two
// jobs on one host do not double its load. When opened, the Manager queues
// again the jobs a stopped service left queued or running; their crawl
// state makes them continue where they stopped. NewSingle gives the same
// view of one crawl the command runs (crawl --listen).
//
// Files:
//
//   - service.go: Config, Service, New, CheckListen.
//   - manager.go: Manager: create, list, cancel, resume, the queue.
//   - run.go: running one job (the crawler's Config from the job's options).
//   - job.go: Job, Record, State, Status, job.json.
//   - spec.go: Spec (what a job is asked to do), its validation, FieldError.
//   - gate.go: a job's politeness gate over the shared one.
//   - live.go: a job's live counters, host table, recent errors, and the
//     fan-out of its events to the event streams.
//   - metrics.go: the Prometheus metrics, on a private registry.
//   - api.go: the routes and the JSON API.
//   - openapi.go: openapi.json, the API described, embedded and served.
//   - events.go: the Server-Sent Events streams.
//   - files.go: the manifest, files and thumbnails, inside a job's OUT only.
//   - gallery.go: the gallery's pages, from the manifest.
//   - thumbs.go: thumbnails, made by a bounded worker pool and cached.
//   - auth.go: the token, the login cookie.
//   - pages.go: the dashboard's routes and embedded assets (web/static).
//   - html.go: the dashboard's pages, written with every value escaped.
//   - single.go: NewSingle, the view of one crawl the command runs.
package service
