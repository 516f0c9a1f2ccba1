package data

import (
	"math"
	"testing"
)

// i0eIntegral evaluates e^(−x) I₀(x) = (1/2π)∫₀^{2π} e^(x(cos θ − 1)) dθ by the
// trapezoid rule, which converges geometrically for this periodic analytic
// integrand; the node count resolves the peak of width ~1/√x at θ = 0.
func i0eIntegral(x float64) float64 {
	m := 64 + 4*int(math.Ceil(math.Sqrt(50*x)))
	var s, c float64 // Neumaier-compensated sum: m reaches 10⁴ terms
	for k := -m / 2; k < m-m/2; k++ {
		// cos θ − 1 = −2 sin²(θ/2), without cancellation; nodes centred on
		// the peak θ = 0, where the argument of sin is exact to the last bit.
		h := math.Sin(math.Pi * float64(k) / float64(m))
		v := math.Exp(-2 * x * h * h)
		t := s + v
		if math.Abs(s) >= math.Abs(v) {
			c += (s - t) + v
		} else {
			c += (v - t) + s
		}
		s = t
	}
	return (s + c) / float64(m)
}

func TestBesselI0e(t *testing.T) {
	xs := []float64{0, 1e-8, 1e-3, 0.5, 1, 2.5, 5, 10, 17.3, 24.999, i0eSwitch, 25.001, 30, 50, 100, 700, 1e3, 1e4, 1e5}
	for _, x := range xs {
		want := i0eIntegral(x)
		for _, sx := range []float64{x, -x} {
			got := besselI0e(sx)
			if rel := math.Abs(got-want) / want; rel > 2e-15 {
				t.Errorf("i0e(%v) = %.17g, integral %.17g, rel. error %.2g", sx, got, want, rel)
			}
		}
	}
	// Tabulated value I₀(1) = 1.2660658777520082 (A&S table 9.8).
	if got := besselI0e(1) * math.E; math.Abs(got-1.2660658777520082) > 4e-16 {
		t.Errorf("I₀(1) = %.17g", got)
	}
	// Continuity across the switch between series and asymptotic expansion.
	lo, hi := besselI0e(math.Nextafter(i0eSwitch, 0)), besselI0e(i0eSwitch)
	if math.Abs(lo-hi)/hi > 4e-15 {
		t.Errorf("i0e jumps at the switch: %.17g vs %.17g", lo, hi)
	}
	if got := besselI0e(math.Inf(1)); got != 0 {
		t.Errorf("i0e(+Inf) = %v, want 0", got)
	}
	if got := besselI0e(math.NaN()); !math.IsNaN(got) {
		t.Errorf("i0e(NaN) = %v, want NaN", got)
	}
	// log I₀ stays finite far past where I₀ overflows (x ≈ 713).
	x := 1e4
	want := x - 0.5*math.Log(2*math.Pi*x) + math.Log1p(1/(8*x)+9/(2*64*x*x))
	if got := logBesselI0(x); math.Abs(got-want) > 1e-12*want {
		t.Errorf("log I₀(%v) = %.17g, want %.17g", x, got, want)
	}
}
