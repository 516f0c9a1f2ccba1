package eval

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
)

// TestSampleEBMGaussian: MALA chains started far off reach the Gaussian
// exp(−E): means and variances match, the step adapts to a sane
// acceptance.
func TestSampleEBMGaussian(t *testing.T) {
	q := quadEnergy{P: [][]float64{{4, 0}, {0, 0.25}}, mu: []float64{1, -2}}
	const n = 1000
	x := make([]float64, 2*n)
	for i := range n {
		x[2*i], x[2*i+1] = 5, 5 // all chains start at one far point
	}
	r, err := SampleEBM(q, x, LangevinConfig{Steps: 200, BurnIn: 100, StepSize: 1e-3}, nn.NewStream(1, "mala"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Acceptance < 0.35 || r.Acceptance > 0.85 || r.Chains != n {
		t.Errorf("acceptance %v (h = %v), chains %d", r.Acceptance, r.StepSize, r.Chains)
	}
	for j, v := range []float64{0.25, 4} {
		var m, s2 float64
		for i := range n {
			m += x[2*i+j] / n
		}
		for i := range n {
			d := x[2*i+j] - m
			s2 += d * d / (n - 1)
		}
		if math.Abs(m-q.mu[j]) > 4*math.Sqrt(v/n)+0.05 || math.Abs(s2/v-1) > 0.2 {
			t.Errorf("coordinate %d: mean %.3f (want %v), variance %.3f (want %v)", j, m, q.mu[j], s2, v)
		}
	}
	if _, err := SampleEBM(q, x[:3], LangevinConfig{}, nn.NewStream(1, "mala")); err == nil {
		t.Error("ragged state accepted")
	}
}
