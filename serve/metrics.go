package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, on a registry of its own
// (with the Go runtime and process collectors) so that two servers in one
// process, as in tests, do not collide.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // model, endpoint, code
	latency   *prometheus.HistogramVec // model: infer requests, seconds
	batchRows *prometheus.HistogramVec // model: rows per model call
	callTime  *prometheus.HistogramVec // model: seconds per model call (all outputs of a batch)
	errors    *prometheus.CounterVec   // model, reason
	inFlight  prometheus.Gauge
}

// unknownModel labels requests naming a model the server does not have, so
// that arbitrary names in URLs cannot grow the label set.
const unknownModel = "_unknown"

func newMetrics() *metrics {
	const ns, sub = "ebmcpu", "serve"
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "requests_total",
			Help: "HTTP requests by model, endpoint and status code.",
		}, []string{"model", "endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "infer_duration_seconds",
			Help:    "Time from the start of an inference request to its response, by model.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 17), // 50µs … 3.3s
		}, []string{"model"}),
		batchRows: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "batch_rows",
			Help:    "Rows per model call, by model.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 13), // 1 … 4096
		}, []string{"model"}),
		callTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "model_call_duration_seconds",
			Help:    "Time of one batch through the model (every output it needs), by model.",
			Buckets: prometheus.ExponentialBuckets(10e-6, 2, 18), // 10µs … 1.3s
		}, []string{"model"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "errors_total",
			Help: "Failed requests by model and reason: bad_request, too_large, not_found, method, unavailable, canceled, model.",
		}, []string{"model", "reason"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "in_flight_requests",
			Help: "Requests being served.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.batchRows, m.callTime, m.errors, m.inFlight,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// reason is the errors_total label of an HTTP status.
func reason(status int) string {
	switch status {
	case 400:
		return "bad_request"
	case 404:
		return "not_found"
	case 405:
		return "method"
	case 413:
		return "too_large"
	case 499:
		return "canceled"
	case 503:
		return "unavailable"
	}
	return "model"
}
