package serve

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are the server's settings. Start from DefaultOptions: fields are
// used as given, and a zero MaxRows or MaxBodyBytes is an error.
type Options struct {
	// MaxBatch is the most rows per model call. With MaxBatch ≤ 1 the
	// server does not batch: every request calls the model once with all
	// its rows, from its own goroutine.
	MaxBatch int
	// MaxDelay is how long a batch waits for more rows after taking its
	// first request; 0 batches only the requests already waiting.
	MaxDelay time.Duration
	// Workers is the number of batches computed at once per model (≥ 1 when batching).
	Workers int
	// QueueLen is the number of chunks (requests, or MaxBatch-row parts of
	// larger ones) waiting per model before new requests block.
	QueueLen int

	MaxRows      int   // rows per request: more is 413
	MaxBodyBytes int64 // bytes per request body: more is 413

	// RequestTimeout bounds an inference request's wait for the model: 503 after it.
	RequestTimeout time.Duration
	// The net/http server's timeouts; 0 means none.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests when the
	// server stops; requests still running after it are cut off.
	ShutdownTimeout time.Duration

	// ServerVersion is reported by GET /v2 (e.g. the ebmcpu version).
	ServerVersion string
	// ErrorLog receives the net/http server's errors; nil is log's standard logger.
	ErrorLog *log.Logger
}

// DefaultOptions are settings for serving small models on a few cores.
func DefaultOptions() Options {
	return Options{
		MaxBatch:          256,
		MaxDelay:          2 * time.Millisecond,
		Workers:           1,
		QueueLen:          1024,
		MaxRows:           4096,
		MaxBodyBytes:      16 << 20,
		RequestTimeout:    30 * time.Second,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   30 * time.Second,
	}
}

func (o *Options) validate() error {
	switch {
	case o.MaxRows < 1:
		return fmt.Errorf("serve: MaxRows %d, want ≥ 1", o.MaxRows)
	case o.MaxBodyBytes < 1:
		return fmt.Errorf("serve: MaxBodyBytes %d, want ≥ 1", o.MaxBodyBytes)
	case o.MaxDelay < 0:
		return fmt.Errorf("serve: MaxDelay %v, want ≥ 0", o.MaxDelay)
	case o.MaxBatch > 1 && o.Workers < 1:
		return fmt.Errorf("serve: Workers %d, want ≥ 1", o.Workers)
	case o.MaxBatch > 1 && o.QueueLen < 1:
		return fmt.Errorf("serve: QueueLen %d, want ≥ 1", o.QueueLen)
	case o.RequestTimeout < 0 || o.ReadHeaderTimeout < 0 || o.ReadTimeout < 0 ||
		o.WriteTimeout < 0 || o.IdleTimeout < 0 || o.ShutdownTimeout < 0:
		return errors.New("serve: negative timeout")
	}
	return nil
}

// Output names, in the order of a response that names none.
const (
	OutEnergy    = "energy"            // FP32 [B]: E(x)
	OutLower     = "log_density_lower" // FP64 [B]: lower end of the bracket of log p(x)
	OutUpper     = "log_density_upper" // FP64 [B]: upper end
	OutOutlier   = "is_outlier"        // BOOL [B]: E(x) > the calibrated threshold
	OutScore     = "score"             // FP32 [B, D]: ∇ log p(x) = −∇E(x); only when requested
	InputName    = "x"                 // FP32 [B, D]: the rows
	platformName = "ebmcpu"
)

// A Server answers the Open Inference Protocol (KServe v2) REST API for a
// set of models. It is an http.Handler; Serve and ListenAndServe run it with
// timeouts and a graceful shutdown.
type Server struct {
	opt     Options
	models  map[string]*model
	metrics *metrics
	mux     *http.ServeMux

	draining  atomic.Bool // set when shutdown starts: not ready, infer answers 503
	closeOnce sync.Once
	served    atomic.Bool
}

// model is an Entry with what the server derives from it.
type model struct {
	Entry
	dim     int
	outputs map[string]int // output name → the need bit that computes it
	dflt    []string       // outputs of a request that names none
	meta    []byte         // the metadata response
	batcher *batcher       // nil when not batching
}

// New returns a server for entries. Names must be unique; the server
// starts ready.
func New(entries []Entry, opt Options) (*Server, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errors.New("serve: no models")
	}
	s := &Server{opt: opt, models: make(map[string]*model), metrics: newMetrics()}
	for _, e := range entries {
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if _, dup := s.models[e.Name]; dup {
			return nil, fmt.Errorf("serve: two models named %s", e.Name)
		}
		m := &model{Entry: e, dim: e.Model.Dim()}
		m.outputs = map[string]int{OutEnergy: needEnergy, OutLower: needBounds, OutUpper: needBounds, OutScore: needScore}
		m.dflt = []string{OutEnergy, OutLower, OutUpper}
		if e.Calibration != nil {
			m.outputs[OutOutlier] = needEnergy
			m.dflt = append(m.dflt, OutOutlier)
		}
		m.meta = s.metadata(m)
		s.models[e.Name] = m
	}
	for _, m := range s.models {
		if opt.MaxBatch > 1 {
			name := m.Name
			rows, call := s.metrics.batchRows.WithLabelValues(name), s.metrics.callTime.WithLabelValues(name)
			m.batcher = newBatcher(m.Model, opt.MaxBatch, opt.MaxDelay, opt.Workers, opt.QueueLen, func(n int, d time.Duration) {
				rows.Observe(float64(n))
				call.Observe(d.Seconds())
			})
		}
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("/v2", s.get("server", s.serverMetadata))
	mux.HandleFunc("/v2/{$}", s.get("server", s.serverMetadata))
	mux.HandleFunc("/v2/health/live", s.get("live", s.live))
	mux.HandleFunc("/v2/health/ready", s.get("ready", s.ready))
	for _, v := range []string{"", "/versions/{version}"} {
		mux.HandleFunc("/v2/models/{name}"+v, s.get("metadata", s.modelMetadata))
		mux.HandleFunc("/v2/models/{name}"+v+"/ready", s.get("model_ready", s.modelReady))
		mux.HandleFunc("/v2/models/{name}"+v+"/infer", s.infer)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, "", "other", errorf(http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	s.mux = mux
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Close stops the batchers once the requests they hold are computed; later
// inference requests answer 503. Serve calls it after draining; a Server
// used as a bare http.Handler (as with httptest) should call it when done.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.draining.Store(true)
		for _, m := range s.models {
			if m.batcher != nil {
				m.batcher.close()
			}
		}
	})
}

// ListenAndServe listens on addr (host:port) and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully: readiness turns false, the listener closes, requests in
// flight run to completion (at most ShutdownTimeout), and the batchers
// stop. It returns nil after a clean drain, the listener's error if serving
// failed, and an error if the drain timed out. A Server serves once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !s.served.CompareAndSwap(false, true) {
		ln.Close()
		return errors.New("serve: Serve called twice")
	}
	defer s.Close()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.opt.ReadHeaderTimeout,
		ReadTimeout:       s.opt.ReadTimeout,
		WriteTimeout:      s.opt.WriteTimeout,
		IdleTimeout:       s.opt.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          s.opt.ErrorLog,
		// Requests do not inherit ctx: its end starts the drain, it does not
		// cancel the requests being drained.
		BaseContext: func(net.Listener) context.Context { return context.Background() },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-errc // http.ErrServerClosed
	if err != nil {
		hs.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// Registry is the registry of the server's metrics, served at /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }
