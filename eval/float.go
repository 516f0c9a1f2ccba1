package eval

import (
	"math"
	"strconv"
)

// Float is a float64 that encodes a non-finite value as JSON null (plain
// encoding/json refuses NaN and ±Inf), so that a report can always be
// written; null decodes back to NaN.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Estimate is a Monte Carlo estimate and its standard error, in the units
// of the field that holds it.
type Estimate struct {
	Value  Float `json:"value"`
	StdErr Float `json:"se"`
}

func est(v, se float64) Estimate { return Estimate{Float(v), Float(se)} }

// meanSE returns the mean of v and its standard error (sample standard
// deviation over √n; NaN for fewer than two values).
func meanSE(v []float64) Estimate {
	n := float64(len(v))
	if len(v) == 0 {
		return est(math.NaN(), math.NaN())
	}
	var s float64
	for _, x := range v {
		s += x
	}
	m := s / n
	if len(v) < 2 {
		return est(m, math.NaN())
	}
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return est(m, math.Sqrt(ss/(n-1)/n))
}
