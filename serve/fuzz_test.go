package serve

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/serve/servetest"
)

// FuzzInfer posts arbitrary bodies to the inference endpoint. Whatever the
// body, the server must answer valid JSON with 200, 400 or 413 (the fake
// model cannot fail or return NaN for finite rows), and a 200 must hold one
// value per row in each output. Seeds: testdata/fuzz/FuzzInfer and below;
// run longer with go test -fuzz=FuzzInfer ./serve.
func FuzzInfer(f *testing.F) {
	for _, seed := range []string{
		`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`,
		`{"id":"a","inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[[1,2],[3,4]]}],"outputs":[{"name":"score"},{"name":"is_outlier"}]}`,
		`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1e39,2]}]}`,
		`{"inputs":[{"name":"x","datatype":"FP32","shape":[3,2],"data":[1,2]}]}`,
	} {
		f.Add([]byte(seed))
	}
	opt := testOpts()
	opt.MaxRows = 8
	opt.MaxBodyBytes = 4096
	opt.MaxDelay = 0
	cal := &Calibration{Threshold: 3, FPR: 0.1, N: 10, HeldOutFPR: 0.1}
	s, err := New([]Entry{{Name: "m", Model: servetest.NewModel(2), Calibration: cal}}, opt)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := http.NewRequest("POST", "/v2/models/m/infer", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		rec := newRecorder()
		s.ServeHTTP(rec, req)
		out := rec.body.Bytes()
		if !json.Valid(out) {
			t.Fatalf("status %d with invalid JSON %q", rec.code, out)
		}
		switch rec.code {
		case 400, 413:
			return
		case 200:
		default:
			t.Fatalf("status %d: %s", rec.code, out)
		}
		var in inferRequest
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatalf("200 for a body that does not decode: %v", err)
		}
		rows := int(in.Inputs[0].Shape[0])
		r := decode(t, out)
		for _, o := range r.Outputs {
			var data []any
			if err := json.Unmarshal(o.Data, &data); err != nil {
				t.Fatal(err)
			}
			want := rows
			if o.Name == OutScore {
				want = rows * 2
			}
			if len(data) != want || o.Shape[0] != rows {
				t.Fatalf("output %s: shape %v with %d values for %d rows", o.Name, o.Shape, len(data), rows)
			}
		}
	})
}

// FuzzParseData feeds arbitrary bytes, not only valid JSON, to the data
// parser: it must return an error or exactly the shape's values, never panic.
func FuzzParseData(f *testing.F) {
	f.Add([]byte(`[[1,2],[3,4]]`), uint8(2), uint8(2))
	f.Add([]byte(`[1,2,3]`), uint8(1), uint8(3))
	f.Add([]byte(`[[[1]]]`), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, b, d uint8) {
		shape := []int{int(b % 8), int(d%8) + 1}
		dst := make([]float32, shape[0]*shape[1])
		if parseData(raw, shape, dst) == nil && !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
	})
}
