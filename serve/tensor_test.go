package serve

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestParseData(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		shape []int
		want  []float32
	}{
		{`[1,2,3,4,5,6]`, []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		{` [ [1 , 2,3] ,[4,5,6] ] `, []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		{"[\n[-0.5e1]\t]", []int{1, 1}, []float32{-5}},
		{`[1e-50, 3.4028234e38]`, []int{1, 2}, []float32{0, math.MaxFloat32}}, // underflow is 0, not an error
		{`[0.1]`, []int{1, 1}, []float32{0.1}},
	} {
		got := make([]float32, len(tc.want))
		if err := parseData([]byte(tc.raw), tc.shape, got); err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if !sameF32(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.raw, got, tc.want)
		}
	}
	for _, raw := range []string{
		``, `[`, `[1,`, `[1 2]`, `[1,,2]`, `[1,2]]`, `[[1,2],[3,4]`, `[[1,2][3,4]]`, `1`, `{}`,
		`[1,2,3]`, `[[1,2,3],[4,5,6]]`, `[[1],[2],[3],[4]]`, `[[1,2]]`, `[-]`, `[1e]`, `[--1]`,
		`[1,2,3,4e39]`, `[Infinity,1,2,3]`, `[NaN,1,2,3]`, `[[1,2],[3,"4"]]`, `[0x10,1,2,3]`,
	} {
		if err := parseData([]byte(raw), []int{2, 2}, make([]float32, 4)); err == nil {
			t.Errorf("%q: parsed as a [2, 2] tensor", raw)
		}
	}
}

func TestEncodeNonFinite(t *testing.T) {
	inf := float32(math.Inf(1))
	b := appendFP32(nil, []float32{1.5, inf, -inf, float32(math.NaN()), 1e-45})
	if string(b) != "[1.5,3.4028235e+38,-3.4028235e+38,null,1e-45]" || !json.Valid(b) {
		t.Errorf("FP32 %s", b)
	}
	b = appendFP64(nil, []float64{math.Inf(-1), math.Inf(1), math.NaN(), 0.1})
	if string(b) != "[-1.7976931348623157e+308,1.7976931348623157e+308,null,0.1]" || !json.Valid(b) {
		t.Errorf("FP64 %s", b)
	}
	if b := appendString(nil, "a\"b\x00\xff"); !json.Valid(b) || !strings.HasPrefix(string(b), `"a\"b\u0000`) {
		t.Errorf("string %s", b)
	}
}
