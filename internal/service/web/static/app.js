// imgcrawl dashboard: plain JavaScript, no dependencies. Live numbers come
// from the service's event streams (EventSource); nothing is loaded from
// anywhere but this service.
"use strict";

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : Math.round(n)) + " " + u[i];
}

function pending(st) {
  const c = st.crawl && st.crawl.counts;
  return c ? (c.PagesPending || 0) + (c.ImagesPending || 0) : 0;
}

function rate(st) {
  const c = st.crawl;
  return c && c.running ? c.requests_per_sec.toFixed(1) + " req/s, " + bytes(c.bytes_per_sec) + "/s" : "–";
}

// The job list.
function jobList() {
  const body = document.querySelector("#jobs tbody");
  const es = new EventSource("/api/events");
  es.addEventListener("jobs", (m) => {
    const list = JSON.parse(m.data);
    body.replaceChildren();
    if (!list.length) body.append(el("tr", {}, el("td", { colspan: "8", text: "No jobs yet." })));
    for (const st of list) {
      const c = st.crawl && st.crawl.counts || {};
      body.append(el("tr", { "data-id": st.id },
        el("td", {}, el("a", { href: "/jobs/" + st.id, text: st.id })),
        el("td", { text: st.kind }),
        el("td", { text: st.state, class: "state-" + st.state }),
        el("td", { text: String(c.PagesDone || st.run.pages) }),
        el("td", { text: String(c.Saved || st.run.images) }),
        el("td", { text: String(c.Failed || st.run.failed) }),
        el("td", { text: String(pending(st)) }),
        el("td", { text: rate(st) })));
    }
  });
  const form = document.getElementById("job-form");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const err = document.getElementById("form-error");
    err.hidden = true;
    let opts = {};
    try {
      if (f.get("more").trim()) opts = JSON.parse(f.get("more"));
    } catch (e) {
      err.textContent = "More options: not JSON (" + e.message + ")";
      err.hidden = false;
      return;
    }
    const kind = f.get("kind");
    if (kind === "crawl" && f.get("depth") !== "") opts.depth = Number(f.get("depth"));
    if (f.get("per-host") !== "") opts["per-host"] = Number(f.get("per-host"));
    if (f.get("min-size").trim()) opts["min-size"] = f.get("min-size").trim();
    if (f.get("accept").trim()) opts.accept = f.get("accept").trim();
    const urls = f.get("urls").split("\n").map((s) => s.trim()).filter((s) => s);
    const r = await fetch("/api/jobs", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind, urls, options: opts }),
    });
    const j = await r.json();
    if (!r.ok) {
      err.textContent = (j.field ? j.field + ": " : "") + j.error;
      err.hidden = false;
      return;
    }
    location.href = "/jobs/" + j.id;
  });
}

// The job page.
function jobPage(sec) {
  const id = sec.dataset.id;
  const api = "/api/jobs/" + id;
  const set = (k, v) => { document.getElementById(k).textContent = v; };
  let galleryDirty = true;
  // Between two status events (one a second), the counters move with the
  // items as they complete.
  // A status carries this run's counters (exact) and the crawl's last
  // snapshot, whose counts less its run's give what earlier runs did.
  // Between statuses the items move the counters; while the job runs a
  // counter never goes back.
  let last = null;
  let extra = {};
  let shown = {};
  const counters = () => {
    const st = last;
    if (!st) return;
    const c = st.crawl && st.crawl.counts;
    const sr = st.crawl && st.crawl.run;
    const r = st.run;
    const earlier = (total, run) => (c && sr ? Math.max(0, total - run) : 0);
    const v = (k, base) => {
      const n = base + (extra[k] || 0);
      shown[k] = st.state === "running" ? Math.max(shown[k] || 0, n) : n;
      return shown[k];
    };
    const cs = c || {};
    const ss = sr || {};
    set("c-pages", String(v("pages", r.pages + r.stylesheets + earlier(cs.PagesDone, ss.Pages + ss.Stylesheets))));
    set("c-images", String(v("images", r.images + earlier(cs.Saved, ss.Images))));
    set("c-duplicates", String(v("duplicates", r.duplicates + earlier(cs.Duplicates, ss.Duplicates))));
    set("c-skipped", String(v("skipped", r.skipped + earlier(cs.Skipped, ss.Skipped))));
    set("c-failed", String(v("failed", r.failed + earlier(cs.Failed, ss.Failed))));
    set("c-pending", String(pending(st)));
    set("c-bytes", bytes(v("bytes", r.bytes + earlier(cs.Bytes, ss.Bytes))));
    set("c-rate", rate(st));
    const p = document.getElementById("progress");
    if (c) {
      const done = c.PagesDone + c.Saved + c.Duplicates + c.Skipped + c.Failed;
      p.max = Math.max(1, done + pending(st));
      p.value = done;
    }
  };
  const show = (st) => {
    last = st;
    extra = {};
    set("state", st.state);
    set("error", st.error || "");
    counters();
    const hb = document.querySelector("#hosts tbody");
    hb.replaceChildren(...(st.hosts || []).map((h) => el("tr", {},
      el("td", { text: h.host }), el("td", { text: String(h.in_flight) }),
      el("td", { text: String(h.done) }), el("td", { text: String(h.errors) }),
      el("td", { text: h.wait_until && new Date(h.wait_until) > new Date() ? new Date(h.wait_until).toLocaleTimeString() : "" }))));
    const eb = document.getElementById("errors");
    eb.replaceChildren(...(st.recent_errors || []).map((e) => el("li", {},
      el("span", { class: "class", text: e.class }), " ", el("code", { text: e.url }), " ", e.error)));
    const cancel = document.getElementById("cancel");
    if (cancel) {
      cancel.disabled = !(st.state === "running" || st.state === "queued");
      document.getElementById("resume").disabled = !(st.state === "canceled" || st.state === "failed");
    }
  };
  const es = new EventSource(api + "/events");
  es.addEventListener("status", (m) => show(JSON.parse(m.data)));
  es.addEventListener("end", () => { galleryDirty = true; });
  const bump = { parsed: "pages", saved: "images", duplicate: "duplicates", skipped: "skipped", failed: "failed" };
  es.addEventListener("item", (m) => {
    const it = JSON.parse(m.data);
    if (it.kind === "image" && it.status === "saved") {
      galleryDirty = true;
      extra.bytes = (extra.bytes || 0) + (it.bytes || 0);
    }
    const k = bump[it.status];
    if (k) extra[k] = (extra[k] || 0) + 1;
    if (last && last.state === "running") counters();
  });
  for (const act of ["cancel", "resume"]) {
    const b = document.getElementById(act);
    if (b) b.addEventListener("click", async () => {
      const r = await fetch(api + "/" + act, { method: "POST" });
      show(await r.json());
    });
  }

  // The gallery: newest first, paged, filtered; refreshed while on its
  // first page when new images arrive.
  let page = 1;
  const filter = document.getElementById("gallery-filter");
  const load = async () => {
    galleryDirty = false;
    const q = new URLSearchParams(new FormData(filter));
    q.set("page", page);
    const r = await fetch(api + "/gallery?" + q);
    if (!r.ok) return;
    const g = await r.json();
    for (const [name, list] of [["host", g.hosts], ["type", g.types]]) {
      const sel = filter.elements[name];
      const cur = sel.value;
      sel.replaceChildren(el("option", { value: "", text: "all" }), ...list.map((v) => el("option", { value: v, text: v })));
      sel.value = cur;
    }
    set("gallery-count", g.total + " images");
    set("page-of", "page " + g.page + " of " + g.pages);
    document.getElementById("prev").disabled = g.page <= 1;
    document.getElementById("next").disabled = g.page >= g.pages;
    const ul = document.getElementById("thumbs");
    ul.replaceChildren(...g.images.map((im) => {
      const b = el("button", { type: "button", class: "thumb", "aria-label": "Open " + im.path },
        el("img", { src: api + "/thumbs/" + encodePath(im.path), alt: im.path, loading: "lazy" }));
      b.addEventListener("click", () => openViewer(im));
      return el("li", {}, b);
    }));
  };
  const encodePath = (p) => p.split("/").map(encodeURIComponent).join("/");
  const openViewer = (im) => {
    const d = document.getElementById("viewer");
    document.getElementById("viewer-img").src = api + "/files/" + encodePath(im.path);
    document.getElementById("viewer-img").alt = im.path;
    set("viewer-title", im.path);
    const meta = document.getElementById("viewer-meta");
    const rows = [["URL", im.url], ["Page", im.page || "(listed)"], ["Size", bytes(im.bytes)],
      ["Dimensions", im.width ? im.width + " × " + im.height : "unknown"], ["Type", im.content_type],
      ["SHA-256", im.sha256]];
    meta.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v || "" })]));
    d.showModal();
  };
  filter.addEventListener("submit", (ev) => { ev.preventDefault(); page = 1; load(); });
  document.getElementById("prev").addEventListener("click", () => { page = Math.max(1, page - 1); load(); });
  document.getElementById("next").addEventListener("click", () => { page++; load(); });
  setInterval(() => { if (galleryDirty && page === 1) load(); }, 2000);
  load();
}

document.addEventListener("DOMContentLoaded", () => {
  const sec = document.getElementById("job");
  if (sec) jobPage(sec); else if (document.getElementById("jobs")) jobList();
});
