package service

import (
	"html"
	"net/url"
	"strconv"
	"strings"
)

// The dashboard's pages, written by plain code rather than html/template:
// text/template's executor looks methods up by name at run time, which
// keeps every exported method of the binary from the linker's dead-code
// elimination.
//
// Each page is static HTML with a few values: every value goes through
// esc, in text and in attribute values alike (all attributes are quoted
// with "), and a value in a URL is first escaped as a path segment. The
// ids and classes are what web/static/app.js and app.css look for.

// esc escapes s for HTML text or a quoted attribute value.
func esc(s string) string { return html.EscapeString(s) }

// writeHead writes the start of every page, up to its main element.
func writeHead(b *strings.Builder, d pageData) {
	b.WriteString(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>`)
	b.WriteString(esc(d.Title))
	b.WriteString(` · imgcrawl</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><nav><a href="/" class="brand">imgcrawl</a> <a href="/">Jobs</a> <a href="/metrics">Metrics</a>
`)
	if d.Auth {
		b.WriteString(`<form method="post" action="/logout" class="logout"><button type="submit">Log out</button></form>`)
	}
	b.WriteString(`</nav></header>
<main id="main">
`)
}

// writeFoot writes the end of every page.
func writeFoot(b *strings.Builder) {
	b.WriteString(`</main>
</body>
</html>
`)
}

// indexHTML is the job list, with the form that starts a job (but in a
// single crawl's view). app.js fills the table.
func indexHTML(b *strings.Builder, d pageData) {
	writeHead(b, d)
	b.WriteString("<h1>Jobs</h1>\n")
	if !d.Single {
		b.WriteString(jobForm)
	}
	b.WriteString(`<div class="table-wrap">
<table id="jobs" aria-live="polite">
<thead><tr><th scope="col">Job</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Pages</th><th scope="col">Images</th><th scope="col">Failed</th><th scope="col">Pending</th><th scope="col">Rate</th></tr></thead>
<tbody><tr><td colspan="8">Loading…</td></tr></tbody>
</table>
</div>
`)
	writeFoot(b)
}

const jobForm = `<details class="card" id="new-job" open>
<summary>Start a job</summary>
<form id="job-form">
<fieldset>
<legend>Kind</legend>
<label><input type="radio" name="kind" value="crawl" checked> Crawl from seed pages</label>
<label><input type="radio" name="kind" value="get"> Get a list of image URLs</label>
</fieldset>
<label for="urls">URLs, one per line</label>
<textarea id="urls" name="urls" rows="3" required placeholder="https://example.org/"></textarea>
<div class="row">
<label>Depth <input name="depth" type="number" min="0" value="2"></label>
<label>Per host <input name="per-host" type="number" min="1" value="4"></label>
<label>Min size <input name="min-size" placeholder="0, 10KiB"></label>
<label>Accept <input name="accept" placeholder="png,jpeg"></label>
</div>
<label for="more">More options (JSON, as the flags are named)</label>
<input id="more" name="more" placeholder='{"scope": "domain", "host-rate": 2}'>
<button type="submit">Start</button>
<p id="form-error" class="error" role="alert" hidden></p>
</form>
</details>
`

// shownURLs is how many of a job's URLs its page lists.
const shownURLs = 5

// jobHTML is one job: its URLs, state and error as they were when the
// page was asked for; app.js fills the rest from the job's event stream
// and API, under the job's id (the section's data-id).
func jobHTML(b *strings.Builder, d pageData) {
	writeHead(b, d)
	if st := d.Job; st != nil {
		b.WriteString("<h1>Job <code>" + esc(st.ID) + "</code></h1>\n")
		b.WriteString(`<section id="job" data-id="` + esc(st.ID) + `" class="card">` + "\n")
		b.WriteString(`<p class="urls">` + esc(string(st.Kind)) + ": ")
		for i, u := range st.URLs {
			if i == shownURLs {
				break
			}
			b.WriteString("<span>" + esc(u) + "</span> ")
		}
		if st.URLCount > shownURLs {
			b.WriteString("… (" + strconv.Itoa(st.URLCount) + " URLs)")
		}
		b.WriteString("</p>\n")
		b.WriteString(`<p>State: <strong id="state">` + esc(string(st.State)) + `</strong> <span id="error" class="error">` + esc(st.Error) + "</span></p>\n")
		b.WriteString(jobCounters)
		if !d.Single {
			b.WriteString(`<div class="actions">
<button type="button" id="cancel">Cancel</button>
<button type="button" id="resume">Resume</button>
<a href="/api/jobs/` + esc(url.PathEscape(st.ID)) + `/manifest">Manifest (JSON lines)</a>
</div>
`)
		}
		b.WriteString("</section>\n")
		b.WriteString(jobSections)
	}
	writeFoot(b)
}

const jobCounters = `<progress id="progress" max="1" value="0" aria-label="Progress"></progress>
<dl class="counters">
<div><dt>Pages</dt><dd id="c-pages">0</dd></div>
<div><dt>Images</dt><dd id="c-images">0</dd></div>
<div><dt>Duplicates</dt><dd id="c-duplicates">0</dd></div>
<div><dt>Skipped</dt><dd id="c-skipped">0</dd></div>
<div><dt>Failed</dt><dd id="c-failed">0</dd></div>
<div><dt>Pending</dt><dd id="c-pending">0</dd></div>
<div><dt>Saved</dt><dd id="c-bytes">0 B</dd></div>
<div><dt>Rate</dt><dd id="c-rate">–</dd></div>
</dl>
`

// jobSections are the job page's hosts, errors, gallery and image viewer.
const jobSections = `<section class="card">
<h2>Hosts</h2>
<div class="table-wrap">
<table id="hosts"><thead><tr><th scope="col">Host</th><th scope="col">In flight</th><th scope="col">Done</th><th scope="col">Errors</th><th scope="col">Waiting until</th></tr></thead><tbody></tbody></table>
</div>
</section>
<section class="card">
<h2>Recent errors</h2>
<ul id="errors" class="errors"></ul>
</section>
<section class="card" id="gallery">
<h2>Gallery</h2>
<form id="gallery-filter" class="row">
<label>Host <select name="host"><option value="">all</option></select></label>
<label>Type <select name="type"><option value="">all</option></select></label>
<label>Min size (bytes) <input name="min-size" type="number" min="0" value="0"></label>
<button type="submit">Filter</button>
</form>
<p id="gallery-count"></p>
<ul id="thumbs" class="thumbs"></ul>
<nav class="pager" aria-label="Gallery pages">
<button type="button" id="prev">Newer</button> <span id="page-of"></span> <button type="button" id="next">Older</button>
</nav>
</section>
<dialog id="viewer" aria-labelledby="viewer-title">
<form method="dialog"><button type="submit" class="close" aria-label="Close">×</button></form>
<h2 id="viewer-title">Image</h2>
<img id="viewer-img" alt="">
<dl id="viewer-meta" class="meta"></dl>
</dialog>
`

// loginHTML asks for the service's token, with d.Message (why the last
// attempt failed) if any.
func loginHTML(b *strings.Builder, d pageData) {
	writeHead(b, d)
	b.WriteString(`<h1>Log in</h1>
<p>This imgcrawl service asks for its token.</p>
`)
	if d.Message != "" {
		b.WriteString(`<p class="error" role="alert">` + esc(d.Message) + "</p>\n")
	}
	b.WriteString(`<form method="post" action="/login" class="card">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>
`)
	writeFoot(b)
}
