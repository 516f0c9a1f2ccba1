package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/serve/servetest"
)

func TestHealthAndMetadata(t *testing.T) {
	cal := &Calibration{Threshold: 2.5, FPR: 0.01, N: 1000, HeldOutFPR: 0.01, Source: "held-out test"}
	_, ts := start(t, testOpts(),
		Entry{Name: "plain", Model: servetest.NewModel(3), Bracket: "certified"},
		Entry{Name: "cal", Version: "7", Model: servetest.NewModel(2), Calibration: cal})

	for _, tc := range []struct {
		path   string
		status int
		want   string // a substring of the body
	}{
		{"/v2/health/live", 200, `{"live":true}`},
		{"/v2/health/ready", 200, `{"ready":true}`},
		{"/v2", 200, `"name":"ebmcpu"`},
		{"/v2/", 200, `"extensions":[]`},
		{"/v2/models/plain/ready", 200, `{"name":"plain","ready":true}`},
		{"/v2/models/cal/versions/7/ready", 200, `"ready":true`},
		{"/v2/models/cal/versions/8/ready", 404, `"error":`},
		{"/v2/models/plain/versions/1", 404, `has no versions`},
		{"/v2/models/nope", 404, `no model named \"nope\"`},
		{"/v2/models/nope/ready", 404, `"error":`},
		{"/v3/anything", 404, `"error":"no such endpoint`},
	} {
		status, body := call(t, ts, "GET", tc.path, "")
		if status != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %d %s, want %d with %s", tc.path, status, body, tc.status, tc.want)
		}
		if !json.Valid(body) {
			t.Errorf("GET %s: invalid JSON %s", tc.path, body)
		}
	}

	var meta struct {
		Name       string         `json:"name"`
		Versions   []string       `json:"versions"`
		Platform   string         `json:"platform"`
		Inputs     []tensorMeta   `json:"inputs"`
		Outputs    []tensorMeta   `json:"outputs"`
		Parameters map[string]any `json:"parameters"`
	}
	status, body := call(t, ts, "GET", "/v2/models/cal/versions/7", "")
	if status != 200 {
		t.Fatalf("metadata: %d %s", status, body)
	}
	if err := json.Unmarshal(body, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Name != "cal" || len(meta.Versions) != 1 || meta.Versions[0] != "7" || meta.Platform != "ebmcpu" {
		t.Errorf("metadata header %+v", meta)
	}
	if len(meta.Inputs) != 1 || meta.Inputs[0].Name != "x" || meta.Inputs[0].Datatype != "FP32" ||
		len(meta.Inputs[0].Shape) != 2 || meta.Inputs[0].Shape[0] != -1 || meta.Inputs[0].Shape[1] != 2 {
		t.Errorf("inputs %+v, want x FP32 [-1 2]", meta.Inputs)
	}
	wantOut := map[string]string{"energy": "FP32 [-1]", "log_density_lower": "FP64 [-1]", "log_density_upper": "FP64 [-1]",
		"is_outlier": "BOOL [-1]", "score": "FP32 [-1,2]"}
	if len(meta.Outputs) != len(wantOut) {
		t.Errorf("outputs %+v, want %v", meta.Outputs, wantOut)
	}
	for _, o := range meta.Outputs {
		got := o.Datatype + " " + jsonOf(o.Shape)
		if got != wantOut[o.Name] {
			t.Errorf("output %s: %s, want %s", o.Name, got, wantOut[o.Name])
		}
	}
	if meta.Parameters["outlier_threshold"] != 2.5 || meta.Parameters["outlier_fpr"] != 0.01 ||
		meta.Parameters["calibration_n"] != 1000.0 || meta.Parameters["calibration_source"] != "held-out test" {
		t.Errorf("calibration parameters %v", meta.Parameters)
	}
	if meta.Parameters["default_outputs"] != "energy,log_density_lower,log_density_upper,is_outlier" {
		t.Errorf("default_outputs %v", meta.Parameters["default_outputs"])
	}

	// The unversioned, uncalibrated model has no is_outlier and reports its bracket.
	_, body = call(t, ts, "GET", "/v2/models/plain", "")
	if strings.Contains(string(body), "is_outlier") || strings.Contains(string(body), "versions") ||
		!strings.Contains(string(body), `"bracket":"certified"`) {
		t.Errorf("plain metadata %s", body)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestMethods(t *testing.T) {
	_, ts := start(t, testOpts(), Entry{Name: "m", Model: servetest.NewModel(2)})
	for _, tc := range []struct{ method, path, allow string }{
		{"POST", "/v2/health/live", "GET, HEAD"},
		{"DELETE", "/v2/models/m", "GET, HEAD"},
		{"GET", "/v2/models/m/infer", "POST"},
	} {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), tc.allow)
		}
	}
}

func TestInferMatchesModel(t *testing.T) {
	const d = 3
	fake := servetest.NewModel(d)
	cal := &Calibration{Threshold: 4, FPR: 0.1, N: 10, HeldOutFPR: 0.1, Source: "t"}
	for _, batched := range []bool{true, false} {
		opt := testOpts()
		if !batched {
			opt.MaxBatch = 1
		}
		_, ts := start(t, opt, Entry{Name: "m", Version: "2", Model: fake, Calibration: cal})
		rng := rand.New(rand.NewPCG(1, 2))
		x := randRows(rng, 40, d) // 40 rows: more than MaxBatch, cut into parts
		e, lo, hi, s := direct(t, fake, x)
		for _, nested := range []bool{false, true} {
			body := inferBody(x, d, nested)
			body = strings.Replace(body, `{"inputs"`, `{"id":"req-\"1\"","inputs"`, 1)
			status, resp := call(t, ts, "POST", "/v2/models/m/versions/2/infer", body)
			if status != 200 {
				t.Fatalf("batched=%v nested=%v: %d %s", batched, nested, status, resp)
			}
			r := decode(t, resp)
			if r.ModelName != "m" || r.ModelVersion != "2" || r.ID != `req-"1"` {
				t.Errorf("header %+v", r)
			}
			var names []string
			for _, o := range r.Outputs {
				names = append(names, o.Name)
			}
			if strings.Join(names, ",") != "energy,log_density_lower,log_density_upper,is_outlier" {
				t.Errorf("default outputs %v", names)
			}
			if got := r.output(t, "energy"); !sameF32(got.f32(t), e) || jsonOf(got.Shape) != "[40]" {
				t.Errorf("energy %v shape %v, want %v", got.f32(t), got.Shape, e)
			}
			if !sameF64(r.output(t, "log_density_lower").f64(t), lo) || !sameF64(r.output(t, "log_density_upper").f64(t), hi) {
				t.Error("bracket differs from the model's")
			}
			flags := r.output(t, "is_outlier").bools(t)
			for i := range e {
				if flags[i] != (e[i] > 4) {
					t.Fatalf("row %d: is_outlier %v with energy %v and threshold 4", i, flags[i], e[i])
				}
			}
		}
		// The score only when asked, in the order asked.
		status, resp := call(t, ts, "POST", "/v2/models/m/infer", inferBody(x, d, false, "score", "energy"))
		if status != 200 {
			t.Fatalf("%d %s", status, resp)
		}
		r := decode(t, resp)
		if len(r.Outputs) != 2 || r.Outputs[0].Name != "score" || r.Outputs[1].Name != "energy" {
			t.Fatalf("outputs %+v, want score then energy", r.Outputs)
		}
		if got := r.Outputs[0]; !sameF32(got.f32(t), s) || jsonOf(got.Shape) != "[40,3]" {
			t.Errorf("score shape %v differs from the model's", got.Shape)
		}
	}
}

// TestBatchedBitIdentical sends concurrent requests of every size, some
// larger than MaxBatch, to a batched and an unbatched server: the response
// bodies must be byte-identical, and no model call may exceed MaxBatch rows.
func TestBatchedBitIdentical(t *testing.T) {
	const d, maxBatch = 2, 16
	opt := testOpts()
	opt.MaxBatch = maxBatch
	opt.MaxDelay = 5 * time.Millisecond
	fake := servetest.NewModel(d)
	fake.MaxBatch = maxBatch
	_, batched := start(t, opt, Entry{Name: "m", Model: fake})
	opt.MaxBatch = 1
	_, unbatched := start(t, opt, Entry{Name: "m", Model: servetest.NewModel(d)})

	const clients, perClient = 16, 6
	var wg sync.WaitGroup
	errs := make(chan error, clients*perClient)
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 9))
			for k := range perClient {
				rows := 1 + (c*perClient+k)%(3*maxBatch)
				outs := [][]string{nil, {"score"}, {"energy", "log_density_upper"}}[k%3]
				body := inferBody(randRows(rng, rows, d), d, k%2 == 0, outs...)
				s1, b1 := call(t, batched, "POST", "/v2/models/m/infer", body)
				s2, b2 := call(t, unbatched, "POST", "/v2/models/m/infer", body)
				if s1 != 200 || s2 != 200 || !bytes.Equal(b1, b2) {
					errs <- errors.New("batched and unbatched responses differ:\n" + string(b1) + "\n" + string(b2))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := fake.MaxRowsSeen(); got > maxBatch || got < 2 {
		t.Errorf("largest model call %d rows, want 2..%d", got, maxBatch)
	}
}

// gate is a model whose calls block until released, so that requests pile
// up in the queue: the batcher must then take them in one call.
type gate struct {
	*servetest.Model
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Energy(x, e []float32) error {
	g.entered <- struct{}{}
	<-g.release
	return g.Model.Energy(x, e)
}

func TestBatcherCoalesces(t *testing.T) {
	const d, maxBatch = 2, 8
	fake := servetest.NewModel(d)
	g := &gate{fake, make(chan struct{}, 100), make(chan struct{})}
	var calls []int
	var mu sync.Mutex
	b := newBatcher(g, maxBatch, 0, 1, 64, func(rows int, _ time.Duration) {
		mu.Lock()
		calls = append(calls, rows)
		mu.Unlock()
	})
	defer b.close()
	ctx := context.Background()
	first := newJob(1, d, needEnergy)
	if err := b.submit(ctx, first); err != nil {
		t.Fatal(err)
	}
	<-g.entered // the worker is inside the model with the first job
	// 2 + 3 + 3 rows fill a batch of 8; 5 more go to the next; 20 rows in 3 parts.
	sizes := []int{2, 3, 3, 5, 20}
	jobs := make([]*job, len(sizes))
	rng := rand.New(rand.NewPCG(3, 4))
	for i, n := range sizes {
		jobs[i] = newJob(n, d, needEnergy)
		copy(jobs[i].x, randRows(rng, n, d))
		if err := b.submit(ctx, jobs[i]); err != nil {
			t.Fatal(err)
		}
	}
	close(g.release)
	for _, j := range append(jobs, first) {
		<-j.done
		if err := j.error(); err != nil {
			t.Fatal(err)
		}
		want := make([]float32, j.rows)
		if err := fake.Energy(j.x, want); err != nil {
			t.Fatal(err)
		}
		if !sameF32(j.e, want) {
			t.Fatalf("job of %d rows: energies %v, want %v", j.rows, j.e, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// 1 | 2+3+3 | 5 + 3 of 20 would overflow (5+8): 5 | 8 | 8 | 4
	want := []int{1, 8, 5, 8, 8, 4}
	if jsonOf(calls) != jsonOf(want) {
		t.Fatalf("rows per call %v, want %v", calls, want)
	}
}

func TestOutputsNonFinite(t *testing.T) {
	fake := servetest.NewModel(1)
	fake.LogZHi = math.Inf(1) // no upper bound of log Z: lower bounds are −Inf
	_, ts := start(t, testOpts(), Entry{Name: "m", Model: fake})
	// E(1e20) = 5e39 overflows float32 to +Inf.
	status, body := call(t, ts, "POST", "/v2/models/m/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[2,1],"data":[0.5,1e20]}]}`)
	if status != 200 || !json.Valid(body) {
		t.Fatalf("%d %s", status, body)
	}
	r := decode(t, body)
	lo := r.output(t, "log_density_lower").f64(t)
	if lo[0] != -math.MaxFloat64 || lo[1] != -math.MaxFloat64 {
		t.Errorf("lower bounds %v, want −MaxFloat64 for −Inf", lo)
	}
	if e := r.output(t, "energy").f32(t); e[1] != math.MaxFloat32 {
		t.Errorf("energy %v, want MaxFloat32 for +Inf", e)
	}

	nan := servetest.NewModel(1)
	nan.NaNAbove = 100
	_, ts = start(t, testOpts(), Entry{Name: "m", Model: nan})
	status, body = call(t, ts, "POST", "/v2/models/m/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[2,1],"data":[0.5,200]}]}`)
	if status != 500 || !json.Valid(body) || !strings.Contains(string(body), "NaN for row 1") {
		t.Errorf("NaN energy: %d %s, want 500 naming row 1", status, body)
	}
}

func TestModelError(t *testing.T) {
	for _, maxBatch := range []int{1, 16} {
		fake := servetest.NewModel(2)
		fake.Err = errors.New("out of cheese")
		opt := testOpts()
		opt.MaxBatch = maxBatch
		_, ts := start(t, opt, Entry{Name: "m", Model: fake})
		status, body := call(t, ts, "POST", "/v2/models/m/infer", inferBody([]float32{1, 2}, 2, false))
		if status != 500 || !strings.Contains(string(body), "out of cheese") || !json.Valid(body) {
			t.Errorf("MaxBatch %d: %d %s, want 500 with the model's error", maxBatch, status, body)
		}
	}
}

// TestMalformed sends bad requests: each must get its 4xx and a JSON error body.
func TestMalformed(t *testing.T) {
	opt := testOpts()
	opt.MaxRows = 4
	opt.MaxBodyBytes = 2000
	_, ts := start(t, opt, Entry{Name: "m", Model: servetest.NewModel(2)})
	ok := `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`
	if status, body := call(t, ts, "POST", "/v2/models/m/infer", ok); status != 200 {
		t.Fatalf("the well-formed request: %d %s", status, body)
	}
	in := func(s string) string { return `{"inputs":[` + s + `]}` }
	for _, tc := range []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"empty body", ``, 400, "malformed"},
		{"not JSON", `{"inputs":`, 400, "malformed"},
		{"trailing garbage", ok + `x`, 400, "malformed"},
		{"inputs not a list", `{"inputs":{}}`, 400, "malformed"},
		{"no inputs", `{"inputs":[]}`, 400, "one input"},
		{"two inputs", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]},{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}`), 400, "one input"},
		{"wrong name", in(`{"name":"y","datatype":"FP32","shape":[1,2],"data":[1,2]}`), 400, "unknown input"},
		{"wrong datatype", in(`{"name":"x","datatype":"FP64","shape":[1,2],"data":[1,2]}`), 400, "want FP32"},
		{"int datatype", in(`{"name":"x","datatype":"INT32","shape":[1,2],"data":[1,2]}`), 400, "want FP32"},
		{"rank 1", in(`{"name":"x","datatype":"FP32","shape":[2],"data":[1,2]}`), 400, "want [B, 2]"},
		{"wrong D", in(`{"name":"x","datatype":"FP32","shape":[2,1],"data":[1,2]}`), 400, "want [B, 2]"},
		{"zero rows", in(`{"name":"x","datatype":"FP32","shape":[0,2],"data":[]}`), 400, "at least one row"},
		{"negative rows", in(`{"name":"x","datatype":"FP32","shape":[-1,2],"data":[1,2]}`), 400, "at least one row"},
		{"fractional shape", in(`{"name":"x","datatype":"FP32","shape":[1.5,2],"data":[1,2]}`), 400, "malformed"},
		{"huge shape", in(`{"name":"x","datatype":"FP32","shape":[1e30,2],"data":[1,2]}`), 400, "malformed"},
		{"too many rows", in(`{"name":"x","datatype":"FP32","shape":[5,2],"data":[1,2,3,4,5,6,7,8,9,10]}`), 413, "over the limit"},
		{"too few values", in(`{"name":"x","datatype":"FP32","shape":[2,2],"data":[1,2,3]}`), 400, "needs 4"},
		{"too many values", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2,3]}`), 400, "more than the 2"},
		{"nested too short", in(`{"name":"x","datatype":"FP32","shape":[2,2],"data":[[1,2],[3]]}`), 400, "has 1 elements"},
		{"nested mixed", in(`{"name":"x","datatype":"FP32","shape":[2,2],"data":[[1,2],3,4]}`), 400, "nested as the shape"},
		{"nested too deep", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[[[1],[2]]]}`), 400, "must hold numbers"},
		{"flat then nested", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,[2]]}`), 400, "must hold numbers"},
		{"string value", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,"2"]}`), 400, "a string"},
		{"NaN string", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,"NaN"]}`), 400, "a string"},
		{"null value", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,null]}`), 400, "null"},
		{"bool value", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[true,1]}`), 400, "a boolean"},
		{"overflow", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,1e39]}`), 400, "not finite"},
		{"overflow float64", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[-1e400,1]}`), 400, "not finite"},
		{"data missing", in(`{"name":"x","datatype":"FP32","shape":[1,2]}`), 400, "no \"data\""},
		{"data null", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":null}`), 400, "must be an array"},
		{"data object", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":{"a":1}}`), 400, "must be an array"},
		{"binary data", in(`{"name":"x","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8}}`), 400, "binary"},
		{"id not a string", `{"id":42,` + ok[1:], 400, "malformed"},
		{"unknown output", `{"outputs":[{"name":"logits"}],` + ok[1:], 400, "unknown output"},
		{"is_outlier uncalibrated", `{"outputs":[{"name":"is_outlier"}],` + ok[1:], 400, "unknown output"},
		{"output twice", `{"outputs":[{"name":"energy"},{"name":"energy"}],` + ok[1:], 400, "twice"},
		{"body too large", in(`{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2` + strings.Repeat(",1", 1000) + `]}`), 413, "over 2000 bytes"},
	} {
		status, body := call(t, ts, "POST", "/v2/models/m/infer", tc.body)
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
			t.Errorf("%s: body %s is not a JSON error", tc.name, body)
		}
		if status != tc.status || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %q, want %d mentioning %q", tc.name, status, e.Error, tc.status, tc.want)
		}
	}
	// A body whose Content-Length is over the limit is refused before it is read.
	req, _ := http.NewRequest("POST", ts.URL+"/v2/models/m/infer", strings.NewReader(strings.Repeat(" ", 3000)))
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("Content-Length 3000: %d, want 413", resp.StatusCode)
	}
	// So is the binary extension's header.
	req, _ = http.NewRequest("POST", ts.URL+"/v2/models/m/infer", strings.NewReader(ok))
	req.Header.Set("Inference-Header-Content-Length", "10")
	resp, err = ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("Inference-Header-Content-Length: %d, want 400", resp.StatusCode)
	}
	if status, _ := call(t, ts, "POST", "/v2/models/nope/infer", ok); status != 404 {
		t.Errorf("unknown model: %d, want 404", status)
	}
	if status, _ := call(t, ts, "POST", "/v2/models/m/versions/3/infer", ok); status != 404 {
		t.Errorf("unknown version: %d, want 404", status)
	}
}

func TestMetrics(t *testing.T) {
	_, ts := start(t, testOpts(), Entry{Name: "m", Model: servetest.NewModel(2)})
	for range 3 {
		call(t, ts, "POST", "/v2/models/m/infer", inferBody([]float32{1, 2, 3, 4}, 2, false))
	}
	call(t, ts, "POST", "/v2/models/m/infer", `{`)
	call(t, ts, "GET", "/v2/models/whatever", "")
	status, body := call(t, ts, "GET", "/metrics", "")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	text := string(body)
	for _, want := range []string{
		`ebmcpu_serve_requests_total{code="200",endpoint="infer",model="m"} 3`,
		`ebmcpu_serve_requests_total{code="400",endpoint="infer",model="m"} 1`,
		`ebmcpu_serve_requests_total{code="404",endpoint="metadata",model="_unknown"} 1`,
		`ebmcpu_serve_errors_total{model="m",reason="bad_request"} 1`,
		`ebmcpu_serve_batch_rows_sum{model="m"} 6`,
		`ebmcpu_serve_infer_duration_seconds_count{model="m"} 4`,
		`ebmcpu_serve_in_flight_requests 0`,
		`go_memstats_heap_alloc_bytes`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestGracefulShutdown starts a slow request, ends the server's context
// while it runs, and checks that it completes and the server then stops.
func TestGracefulShutdown(t *testing.T) {
	for _, maxBatch := range []int{1, 16} {
		fake := servetest.NewModel(2)
		fake.Delay = 300 * time.Millisecond
		opt := testOpts()
		opt.MaxBatch = maxBatch
		s, err := New([]Entry{{Name: "m", Model: fake}}, opt)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- s.Serve(ctx, ln) }()

		type result struct {
			status int
			err    error
		}
		got := make(chan result, 1)
		go func() {
			resp, err := http.Post(url+"/v2/models/m/infer", "application/json", strings.NewReader(inferBody([]float32{1, 2}, 2, false)))
			if err != nil {
				got <- result{0, err}
				return
			}
			resp.Body.Close()
			got <- result{resp.StatusCode, nil}
		}()
		for fake.Calls() == 0 { // the request is inside the model
			time.Sleep(time.Millisecond)
		}
		cancel()
		r := <-got
		if r.err != nil || r.status != 200 {
			t.Fatalf("MaxBatch %d: in-flight request: %d %v, want 200", maxBatch, r.status, r.err)
		}
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after the drain")
		}
		if _, err := http.Get(url + "/v2/health/live"); err == nil {
			t.Fatal("the server still answers after Serve returned")
		}
		// After the drain, the handler refuses work with 503.
		rec := newRecorder()
		req, _ := http.NewRequest("POST", "/v2/models/m/infer", strings.NewReader(inferBody([]float32{1, 2}, 2, false)))
		s.ServeHTTP(rec, req)
		if rec.code != 503 {
			t.Errorf("infer after shutdown: %d, want 503", rec.code)
		}
		req, _ = http.NewRequest("GET", "/v2/health/ready", nil)
		rec = newRecorder()
		s.ServeHTTP(rec, req)
		if rec.code != 503 {
			t.Errorf("ready after shutdown: %d, want 503", rec.code)
		}
	}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func TestNewRejects(t *testing.T) {
	m := servetest.NewModel(2)
	bad := []struct {
		name    string
		entries []Entry
		opt     func(*Options)
	}{
		{"no models", nil, nil},
		{"empty name", []Entry{{Name: "", Model: m}}, nil},
		{"slash in name", []Entry{{Name: "a/b", Model: m}}, nil},
		{"dot dot", []Entry{{Name: "..", Model: m}}, nil},
		{"bad version", []Entry{{Name: "a", Version: "v 1", Model: m}}, nil},
		{"nil model", []Entry{{Name: "a"}}, nil},
		{"zero dim", []Entry{{Name: "a", Model: servetest.NewModel(0)}}, nil},
		{"duplicate", []Entry{{Name: "a", Model: m}, {Name: "a", Model: m}}, nil},
		{"bad calibration", []Entry{{Name: "a", Model: m, Calibration: &Calibration{Threshold: 1, FPR: 2, N: 1}}}, nil},
		{"zero MaxRows", []Entry{{Name: "a", Model: m}}, func(o *Options) { o.MaxRows = 0 }},
		{"zero MaxBodyBytes", []Entry{{Name: "a", Model: m}}, func(o *Options) { o.MaxBodyBytes = 0 }},
		{"negative delay", []Entry{{Name: "a", Model: m}}, func(o *Options) { o.MaxDelay = -1 }},
		{"no workers", []Entry{{Name: "a", Model: m}}, func(o *Options) { o.Workers = 0 }},
	}
	for _, tc := range bad {
		opt := DefaultOptions()
		if tc.opt != nil {
			tc.opt(&opt)
		}
		if s, err := New(tc.entries, opt); err == nil {
			s.Close()
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
}

// TestNoPlotting checks that the server builds without cgo and links no
// plotting package.
func TestNoPlotting(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "gonum.org/v1/plot") || p == "runtime/cgo" {
			t.Errorf("serve depends on %s", p)
		}
	}
}
