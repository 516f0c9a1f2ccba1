// Package loadtest drives a KServe v2 inference server with concurrent
// clients and reports throughput, latency percentiles, errors and memory.
//
// It is bounded in every direction so that it cannot be turned into a flood:
// at most MaxClients clients, MaxDuration of time and MaxRequests requests,
// aimed only at a loopback address (127.0.0.0/8 or ::1, given literally),
// with redirects and proxies refused.
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The bounds of a run.
const (
	MaxClients  = 256
	MaxDuration = 60 * time.Second
	MaxRequests = 10_000_000
	MaxRows     = 4096 // rows per request
)

// Config is one load test.
type Config struct {
	URL      string        // the server, e.g. http://127.0.0.1:8080: loopback only
	Model    string        // the model's name
	Clients  int           // concurrent clients, each sending its next request when the last is answered
	Duration time.Duration // how long to send requests
	Requests int           // stop after this many requests in all; 0 lets Duration alone end the run
	Rows     int           // rows per request, random in [−3, 3)^D; 0 means 1
	Seed     uint64        // seeds the rows
}

// A Report is what a run measured. Latencies are of successful requests,
// from sending the request to reading the whole response.
type Report struct {
	Clients, Rows    int
	Requests, Errors int64
	FirstError       string
	Elapsed          time.Duration
	Throughput       float64 // requests per second
	RowThroughput    float64 // rows per second
	P50, P99, Max    time.Duration
	// Server memory from its /metrics before and after the run (0 when not
	// exported): go_memstats_heap_inuse_bytes and process_resident_memory_bytes.
	ServerHeapBefore, ServerHeapAfter float64
	ServerRSSBefore, ServerRSSAfter   float64
	// The load generator's own heap in use and resident set.
	ClientHeapBefore, ClientHeapAfter uint64
	ClientRSSBefore, ClientRSSAfter   uint64
}

// CheckLoopback parses raw and accepts only http:// URLs whose host is a
// literal loopback address. Names, "localhost" included, are refused: they
// resolve through configuration that could point elsewhere.
func CheckLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("loadtest: %q: want an http:// URL", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("loadtest: %q: the host must be a loopback address such as 127.0.0.1", raw)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("loadtest: %q: give a port", raw)
	}
	return &url.URL{Scheme: "http", Host: u.Host}, nil
}

func (c *Config) validate() (*url.URL, error) {
	base, err := CheckLoopback(c.URL)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Model == "":
		return nil, errors.New("loadtest: no model")
	case c.Clients < 1 || c.Clients > MaxClients:
		return nil, fmt.Errorf("loadtest: %d clients, want 1..%d", c.Clients, MaxClients)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return nil, fmt.Errorf("loadtest: duration %v, want (0, %v]", c.Duration, MaxDuration)
	case c.Requests < 0 || c.Requests > MaxRequests:
		return nil, fmt.Errorf("loadtest: %d requests, want 0..%d", c.Requests, MaxRequests)
	case c.Rows < 0 || c.Rows > MaxRows:
		return nil, fmt.Errorf("loadtest: %d rows per request, want 1..%d", c.Rows, MaxRows)
	}
	return base, nil
}

// Run performs the load test. It returns an error if the configuration is
// out of bounds or the model's metadata cannot be read; failed requests are
// counted in the report, not returned.
func Run(ctx context.Context, cfg Config) (Report, error) {
	base, err := cfg.validate()
	if err != nil {
		return Report{}, err
	}
	rows := max(cfg.Rows, 1)
	client := &http.Client{
		Transport: &http.Transport{
			Proxy:               nil, // never through a proxy from the environment
			MaxIdleConnsPerHost: cfg.Clients,
			MaxConnsPerHost:     cfg.Clients,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("loadtest: redirects are not followed")
		},
		Timeout: 30 * time.Second,
	}
	defer client.CloseIdleConnections()

	model := base.JoinPath("v2", "models", cfg.Model).String()
	d, err := inputDim(ctx, client, model)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Clients: cfg.Clients, Rows: rows}
	metrics := base.JoinPath("metrics").String()
	rep.ServerHeapBefore, rep.ServerRSSBefore = serverMemory(ctx, client, metrics)
	rep.ClientHeapBefore, rep.ClientRSSBefore = clientMemory()

	const bodiesPerClient = 8
	bodies := make([][][]byte, cfg.Clients)
	for c := range bodies {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(c)))
		for range bodiesPerClient {
			bodies[c] = append(bodies[c], requestBody(rng, rows, d))
		}
	}

	infer := model + "/infer"
	var tickets, failed atomic.Int64 // requests started, requests failed
	var firstErr sync.Once
	lat := make([][]time.Duration, cfg.Clients)
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cfg.Clients {
		wg.Go(func() {
			for k := 0; runCtx.Err() == nil; k++ {
				if n := tickets.Add(1); cfg.Requests > 0 && n > int64(cfg.Requests) {
					return
				}
				t0 := time.Now()
				err := post(runCtx, client, infer, bodies[c][k%bodiesPerClient])
				if err != nil {
					if runCtx.Err() != nil {
						return // cut off by the end of the run: not a server error
					}
					failed.Add(1)
					firstErr.Do(func() { rep.FirstError = err.Error() })
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)

	all := slices.Concat(lat...)
	slices.Sort(all)
	rep.Errors = failed.Load()
	rep.Requests = int64(len(all)) + rep.Errors
	if n := len(all); n > 0 {
		rep.P50, rep.P99, rep.Max = quantile(all, 0.50), quantile(all, 0.99), all[n-1]
	}
	rep.Throughput = float64(rep.Requests) / rep.Elapsed.Seconds()
	rep.RowThroughput = rep.Throughput * float64(rows)
	rep.ServerHeapAfter, rep.ServerRSSAfter = serverMemory(ctx, client, metrics)
	rep.ClientHeapAfter, rep.ClientRSSAfter = clientMemory()
	return rep, nil
}

// quantile is the nearest-rank q-quantile of sorted: sorted[⌈q·n⌉ − 1].
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(float64(len(sorted))*q+0.999999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// post sends one inference request and reads the whole response; anything
// but 200 is an error.
func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

// inputDim reads D from the model's metadata: the input's shape [-1, D].
func inputDim(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("loadtest: model metadata: %w", err)
	}
	defer resp.Body.Close()
	var meta struct {
		Inputs []struct {
			Shape []int `json:"shape"`
		} `json:"inputs"`
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("loadtest: model metadata: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&meta); err != nil {
		return 0, fmt.Errorf("loadtest: model metadata: %w", err)
	}
	if len(meta.Inputs) != 1 || len(meta.Inputs[0].Shape) != 2 || meta.Inputs[0].Shape[1] < 1 {
		return 0, fmt.Errorf("loadtest: model metadata: want one input of shape [-1, D], got %+v", meta.Inputs)
	}
	return meta.Inputs[0].Shape[1], nil
}

// requestBody is an inference request for rows random rows of width d.
func requestBody(rng *rand.Rand, rows, d int) []byte {
	b := fmt.Appendf(nil, `{"inputs":[{"name":"x","datatype":"FP32","shape":[%d,%d],"data":[`, rows, d)
	for i := range rows * d {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, float64(float32(rng.Float64()*6-3)), 'g', -1, 32)
	}
	return append(b, "]}]}"...)
}

// serverMemory reads the server's heap in use and resident set from its
// Prometheus text exposition; 0 for what it does not export.
func serverMemory(ctx context.Context, client *http.Client, url string) (heap, rss float64) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heap = v
		case "process_resident_memory_bytes":
			rss = v
		}
	}
	return heap, rss
}

// clientMemory is this process's heap in use and resident set (0 where
// /proc is missing).
func clientMemory() (heap, rss uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b, err := os.ReadFile("/proc/self/statm")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if pages, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				rss = pages * uint64(os.Getpagesize())
			}
		}
	}
	return ms.HeapInuse, rss
}

// Write prints the report as a few aligned lines.
func (r Report) Write(w io.Writer) {
	mib := func(v float64) string { return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + " MiB" }
	fmt.Fprintf(w, "clients %d, %d rows per request, %.1fs\n", r.Clients, r.Rows, r.Elapsed.Seconds())
	fmt.Fprintf(w, "requests   %d (%d errors)\n", r.Requests, r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(w, "first err  %s\n", r.FirstError)
	}
	fmt.Fprintf(w, "throughput %.0f requests/s, %.0f rows/s\n", r.Throughput, r.RowThroughput)
	fmt.Fprintf(w, "latency    p50 %v, p99 %v, max %v\n", r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
	fmt.Fprintf(w, "server     heap %s → %s, RSS %s → %s\n", mib(r.ServerHeapBefore), mib(r.ServerHeapAfter), mib(r.ServerRSSBefore), mib(r.ServerRSSAfter))
	fmt.Fprintf(w, "client     heap %s → %s, RSS %s → %s\n", mib(float64(r.ClientHeapBefore)), mib(float64(r.ClientHeapAfter)), mib(float64(r.ClientRSSBefore)), mib(float64(r.ClientRSSAfter)))
}
