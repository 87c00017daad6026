package service

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// metrics are the service's Prometheus metrics, on a registry of its own
// (never the default one: a program embedding two services would panic).
// Safe for concurrent use, as the client's metrics are.
type metrics struct {
	reg      *prometheus.Registry
	urls     *prometheus.CounterVec // kind, outcome
	bytes    prometheus.Counter
	requests prometheus.Counter
	inflight *prometheus.GaugeVec // job
	errors   *prometheus.CounterVec
	latency  prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		urls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgcrawl_requests_total",
			Help: "Pages, style sheets and images completed, by kind and outcome (parsed, saved, duplicate, skipped, failed).",
		}, []string{"kind", "outcome"}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "imgcrawl_image_bytes_total", Help: "Bytes of images saved.",
		}),
		requests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "imgcrawl_http_requests_total", Help: "HTTP requests started through the politeness gate (robots.txt aside).",
		}),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "imgcrawl_requests_in_flight", Help: "HTTP requests in flight, per job.",
		}, []string{"job_id"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgcrawl_errors_total", Help: "Pages and images that failed, by class of error.",
		}, []string{"class"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "imgcrawl_fetch_duration_seconds",
			Help:    "Time a request holds its host's slot: from its start to its body's end.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}),
	}
	m.reg.MustRegister(m.urls, m.bytes, m.requests, m.inflight, m.errors, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// event counts a completed page, style sheet or image.
func (m *metrics) event(ev crawler.Event, class string) {
	m.urls.WithLabelValues(ev.Kind.String(), string(ev.Status)).Inc()
	if ev.Status == crawler.Saved {
		m.bytes.Add(float64(ev.Bytes))
	}
	if ev.Status == crawler.Failed {
		m.errors.WithLabelValues(class).Inc()
	}
}

// gauges registers the job queue's gauges.
func (m *metrics) gauges(queued, running func() float64) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "imgcrawl_jobs_queued", Help: "Jobs waiting for a slot (the queue depth)."}, queued),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "imgcrawl_jobs_running", Help: "Jobs running."}, running),
	)
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
