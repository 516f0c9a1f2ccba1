package loadtest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/serve"
	"github.com/ebmcpu/ebmcpu/serve/servetest"
)

// serveFake serves a fake model on 127.0.0.1 until the test ends and
// returns its URL.
func serveFake(t testing.TB, fake *servetest.Model, opt serve.Options) string {
	t.Helper()
	s, err := serve.New([]serve.Entry{{Name: "fake", Model: fake}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func TestRun(t *testing.T) {
	fake := servetest.NewModel(2)
	url := serveFake(t, fake, serve.DefaultOptions())
	rep, err := Run(context.Background(), Config{URL: url, Model: "fake", Clients: 8, Duration: 500 * time.Millisecond, Rows: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 || rep.Requests == 0 {
		t.Fatalf("%d requests, %d errors (%s)", rep.Requests, rep.Errors, rep.FirstError)
	}
	if got := fake.Rows(); got < 3*rep.Requests {
		t.Errorf("the model computed %d rows for %d requests of 3", got, rep.Requests)
	}
	if !(rep.P50 > 0 && rep.P50 <= rep.P99 && rep.P99 <= rep.Max) {
		t.Errorf("latencies p50 %v p99 %v max %v out of order", rep.P50, rep.P99, rep.Max)
	}
	if rep.ServerHeapBefore <= 0 || rep.ServerRSSAfter <= 0 || rep.ClientHeapAfter == 0 {
		t.Errorf("memory not read: %+v", rep)
	}
	if rep.Elapsed < 500*time.Millisecond || rep.Elapsed > 5*time.Second {
		t.Errorf("ran %v for a 500ms test", rep.Elapsed)
	}
	var buf bytes.Buffer
	rep.Write(&buf)
	if !strings.Contains(buf.String(), "(0 errors)") {
		t.Errorf("report:\n%s", buf.String())
	}

	// A request budget ends the run before the duration.
	rep, err = Run(context.Background(), Config{URL: url, Model: "fake", Clients: 4, Duration: 30 * time.Second, Requests: 50})
	if err != nil || rep.Requests != 50 || rep.Elapsed > 10*time.Second {
		t.Fatalf("budget of 50: %d requests in %v, %v", rep.Requests, rep.Elapsed, err)
	}
}

func TestRunCountsErrors(t *testing.T) {
	fake := servetest.NewModel(2)
	opt := serve.DefaultOptions()
	opt.MaxRows = 2
	url := serveFake(t, fake, opt)
	rep, err := Run(context.Background(), Config{URL: url, Model: "fake", Clients: 2, Duration: time.Second, Requests: 10, Rows: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 10 || !strings.Contains(rep.FirstError, "413") {
		t.Fatalf("%d errors (%q), want 10 with status 413", rep.Errors, rep.FirstError)
	}
	if _, err := Run(context.Background(), Config{URL: url, Model: "nope", Clients: 1, Duration: time.Second}); err == nil {
		t.Fatal("ran against a missing model")
	}
}

func TestBounds(t *testing.T) {
	ok := Config{URL: "http://127.0.0.1:1", Model: "m", Clients: 1, Duration: time.Second}
	for _, u := range []string{"http://127.0.0.1:8080", "http://127.9.9.9:1", "http://[::1]:8080/ignored/path"} {
		if _, err := CheckLoopback(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:80", "http://example.com:80", "http://localhost:8080",
		"https://127.0.0.1:443", "http://0.0.0.0:80", "http://127.0.0.1", "http://[::ffff:8.8.8.8]:80", "127.0.0.1:80", "::"} {
		if _, err := CheckLoopback(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for name, mod := range map[string]func(*Config){
		"no model":      func(c *Config) { c.Model = "" },
		"no clients":    func(c *Config) { c.Clients = 0 },
		"many clients":  func(c *Config) { c.Clients = MaxClients + 1 },
		"no duration":   func(c *Config) { c.Duration = 0 },
		"long duration": func(c *Config) { c.Duration = MaxDuration + time.Second },
		"many requests": func(c *Config) { c.Requests = MaxRequests + 1 },
		"many rows":     func(c *Config) { c.Rows = MaxRows + 1 },
		"remote":        func(c *Config) { c.URL = "http://192.168.1.1:8080" },
	} {
		c := ok
		mod(&c)
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("%s: ran", name)
		}
	}
}

// TestNoRedirect checks that a loopback server cannot send the load elsewhere.
func TestNoRedirect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1:80"+r.URL.Path, http.StatusTemporaryRedirect)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	_, err = Run(context.Background(), Config{URL: "http://" + ln.Addr().String(), Model: "m", Clients: 1, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("err %v, want the redirect refused", err)
	}
}

// The cost model of the fake model in the batching comparisons: a fixed
// cost per call and a cost per row, burnt on the CPU.
const (
	benchCallCost = 200 * time.Microsecond
	benchRowCost  = 2 * time.Microsecond
)

func benchOptions(batched bool) serve.Options {
	opt := serve.DefaultOptions()
	if !batched {
		opt.MaxBatch = 1
	}
	return opt
}

// BenchmarkBatching compares batched with unbatched throughput at 64
// clients against the fake model (benchCallCost per call, benchRowCost per
// row); one op is one request.
//
//	go test -run '^$' -bench Batching -benchtime 20000x ./bench/loadtest
func BenchmarkBatching(b *testing.B) {
	for _, batched := range []bool{false, true} {
		name := map[bool]string{false: "unbatched", true: "batched"}[batched]
		b.Run(name, func(b *testing.B) {
			fake := servetest.NewModel(2)
			fake.CallCost, fake.RowCost = benchCallCost, benchRowCost
			url := serveFake(b, fake, benchOptions(batched))
			b.ResetTimer()
			rep, err := Run(context.Background(), Config{URL: url, Model: "fake", Clients: 64, Duration: MaxDuration, Requests: b.N})
			if err != nil {
				b.Fatal(err)
			}
			if rep.Errors != 0 {
				b.Fatalf("%d errors: %s", rep.Errors, rep.FirstError)
			}
			b.ReportMetric(rep.Throughput, "req/s")
			b.ReportMetric(float64(rep.P99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(fake.Rows())/float64(fake.Calls()), "rows/call")
		})
	}
}

// TestLoad64 is the load test against the fake model: 64 clients
// for 10 s, batched and unbatched, with zero errors and batched throughput
// at least 3× unbatched. It takes 20 s of both cores, so it runs only with
// EBMCPU_LOADTEST=1.
func TestLoad64(t *testing.T) {
	if os.Getenv("EBMCPU_LOADTEST") == "" {
		t.Skip("set EBMCPU_LOADTEST=1 to run the 2 × 10 s load test")
	}
	var tput [2]float64
	for i, batched := range []bool{false, true} {
		fake := servetest.NewModel(2)
		fake.CallCost, fake.RowCost = benchCallCost, benchRowCost
		url := serveFake(t, fake, benchOptions(batched))
		rep, err := Run(context.Background(), Config{URL: url, Model: "fake", Clients: 64, Duration: 10 * time.Second, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		rep.Write(&buf)
		t.Logf("batched=%v, %.1f rows per model call:\n%s", batched, float64(fake.Rows())/float64(fake.Calls()), buf.String())
		if rep.Errors != 0 {
			t.Errorf("%d errors", rep.Errors)
		}
		tput[i] = rep.Throughput
	}
	if tput[1] < 3*tput[0] {
		t.Errorf("batched %.0f req/s is %.2f× unbatched %.0f, want ≥ 3×", tput[1], tput[1]/tput[0], tput[0])
	}
}
