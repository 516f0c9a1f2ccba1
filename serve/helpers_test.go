package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/serve/servetest"
)

// testOpts are DefaultOptions with small limits that tests can reach.
func testOpts() Options {
	o := DefaultOptions()
	o.MaxRows = 64
	o.MaxBatch = 16
	o.MaxBodyBytes = 1 << 16
	return o
}

// start serves entries on an httptest server, closed with the test.
func start(t testing.TB, opt Options, entries ...Entry) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(entries, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

// call sends a request and returns the status and body.
func call(t testing.TB, ts *httptest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

type testOutput struct {
	Name     string          `json:"name"`
	Datatype string          `json:"datatype"`
	Shape    []int           `json:"shape"`
	Data     json.RawMessage `json:"data"`
}

type testResponse struct {
	ModelName    string       `json:"model_name"`
	ModelVersion string       `json:"model_version"`
	ID           string       `json:"id"`
	Outputs      []testOutput `json:"outputs"`
}

// decode parses an inference response strictly: valid JSON, no unknown fields.
func decode(t testing.TB, body []byte) testResponse {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r testResponse
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("response %.300s: %v", body, err)
	}
	return r
}

func (r testResponse) output(t testing.TB, name string) testOutput {
	t.Helper()
	for _, o := range r.Outputs {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no output %q in %+v", name, r.Outputs)
	return testOutput{}
}

func (o testOutput) numbers(t testing.TB) []json.Number {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(o.Data))
	dec.UseNumber()
	var v []json.Number
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("output %s data %.200s: %v", o.Name, o.Data, err)
	}
	return v
}

// f32 parses FP32 data exactly: each value is the shortest decimal of a float32.
func (o testOutput) f32(t testing.TB) []float32 {
	t.Helper()
	if o.Datatype != "FP32" {
		t.Fatalf("output %s has datatype %s, want FP32", o.Name, o.Datatype)
	}
	var out []float32
	for _, n := range o.numbers(t) {
		v, err := strconv.ParseFloat(string(n), 32)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, float32(v))
	}
	return out
}

func (o testOutput) f64(t testing.TB) []float64 {
	t.Helper()
	if o.Datatype != "FP64" {
		t.Fatalf("output %s has datatype %s, want FP64", o.Name, o.Datatype)
	}
	var out []float64
	for _, n := range o.numbers(t) {
		v, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func (o testOutput) bools(t testing.TB) []bool {
	t.Helper()
	if o.Datatype != "BOOL" {
		t.Fatalf("output %s has datatype %s, want BOOL", o.Name, o.Datatype)
	}
	var v []bool
	if err := json.Unmarshal(o.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// randRows returns b×d values in [−3, 3).
func randRows(rng *rand.Rand, b, d int) []float32 {
	x := make([]float32, b*d)
	for i := range x {
		x[i] = float32(rng.Float64()*6 - 3)
	}
	return x
}

// inferBody is a request for rows x (B×d), flat or nested, with the named outputs.
func inferBody(x []float32, d int, nested bool, outputs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"inputs":[{"name":"x","datatype":"FP32","shape":[%d,%d],"data":`, len(x)/d, d)
	b.WriteByte('[')
	for i, v := range x {
		if i > 0 {
			b.WriteByte(',')
		}
		if nested && i%d == 0 {
			b.WriteByte('[')
		}
		b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
		if nested && i%d == d-1 {
			b.WriteByte(']')
		}
	}
	b.WriteString("]}]")
	if len(outputs) > 0 {
		b.WriteString(`,"outputs":[`)
		for i, o := range outputs {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"name":%q}`, o)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}

// direct computes every output of model m on x without the server.
func direct(t testing.TB, m Model, x []float32) (e []float32, lo, hi []float64, s []float32) {
	t.Helper()
	d := m.Dim()
	b := len(x) / d
	e, lo, hi, s = make([]float32, b), make([]float64, b), make([]float64, b), make([]float32, b*d)
	if err := compute(m, needEnergy|needBounds|needScore, x, e, lo, hi, s); err != nil {
		t.Fatal(err)
	}
	return
}

func sameF32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func sameF64(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

var _ Model = (*servetest.Model)(nil)
