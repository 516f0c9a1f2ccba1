package nn

import (
	"math"
	"testing"
)

// Test helpers: random fills, finite differences and a relative-error metric.

const fdTol = 1e-6 // relative error allowed between analytic and FD gradients

func randVec(s *Stream, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	Uniform(s, v, lo, hi)
	return v
}

// relErr returns ‖a − b‖/max(‖a‖, ‖b‖), 0 for two zero vectors.
func relErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	m := math.Sqrt(math.Max(na, nb))
	if m == 0 {
		return 0
	}
	return math.Sqrt(d) / m
}

// fdGrad returns the central-difference gradient of f with respect to x.
func fdGrad(f func() float64, x []float64, h float64) []float64 {
	g := make([]float64, len(x))
	for i := range x {
		old := x[i]
		x[i] = old + h
		fp := f()
		x[i] = old - h
		fm := f()
		x[i] = old
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// fdJVP returns (F(x + h·v) − F(x − h·v))/2h for a vector function F.
func fdJVP(F func(x []float64) []float64, x, v []float64, h float64) []float64 {
	xp := make([]float64, len(x))
	xm := make([]float64, len(x))
	for i := range x {
		xp[i] = x[i] + h*v[i]
		xm[i] = x[i] - h*v[i]
	}
	fp := append([]float64(nil), F(xp)...)
	fm := F(xm)
	out := make([]float64, len(fp))
	for i := range fp {
		out[i] = (fp[i] - fm[i]) / (2 * h)
	}
	return out
}

func checkClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	if e := relErr(got, want); !(e <= tol) {
		t.Errorf("%s: relative error %.3g > %.1g\n got  %.6g\n want %.6g", what, e, tol, head(got), head(want))
	}
}

func head(x []float64) []float64 {
	if len(x) > 8 {
		return x[:8]
	}
	return x
}

func dotF(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// grads snapshots the parameter gradients of n into one vector.
func grads(n *Network[float64]) []float64 {
	var g []float64
	for _, p := range n.Params() {
		g = append(g, p.Grad...)
	}
	return g
}

// fdParams returns the FD gradient of f with respect to every parameter of n,
// concatenated in Params order.
func fdParams(n *Network[float64], f func() float64, h float64) []float64 {
	var g []float64
	for _, p := range n.Params() {
		g = append(g, fdGrad(f, p.Value, h)...)
	}
	return g
}

// randomizeState gives every parameter and buffer of n a generic value, so
// no derivative term hides behind a zero or a one: PReLU slopes in
// [0.1, 0.5], BatchNorm γ, β and running statistics away from 1 and 0,
// spectral-norm vectors normalised.
func randomizeState(n *Network[float64], s *Stream) {
	for _, l := range n.Layers() {
		switch l := l.(type) {
		case *Activation[float64]:
			if l.SlopeParam != nil {
				l.SlopeParam.Value[0] = 0.1 + 0.4*s.Float64()
			}
		case *BatchNorm[float64]:
			Uniform(s, l.Gamma.Value, 0.5, 1.5)
			Uniform(s, l.Beta.Value, -0.5, 0.5)
			Uniform(s, l.Mean.Value, -0.3, 0.3)
			Uniform(s, l.Var.Value, 0.5, 2)
		case *Scale[float64]:
			l.S.Value[0] = 0.7 + 0.5*s.Float64()
		}
	}
}
