package nn

import "github.com/ebmcpu/ebmcpu/internal/fdcheck"

// Test helpers: random fills, gradients and parameters as flat vectors. The
// finite differences themselves are internal/fdcheck's.

const (
	fdH   = 1e-5 // central-difference step
	fdTol = 1e-6 // relative error allowed between analytic and FD gradients
)

func randVec(s *Stream, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	Uniform(s, v, lo, hi)
	return v
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
	var xs [][]float64
	for _, p := range n.Params() {
		xs = append(xs, p.Value)
	}
	return fdcheck.Grad(f, h, xs...)
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
