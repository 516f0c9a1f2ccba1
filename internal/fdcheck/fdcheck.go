// Package fdcheck checks derivatives against central finite differences, in
// float64: the gradient of a scalar function with respect to slices it
// reads (the parameters of a network, its input), the directional
// derivative of a vector function, the relative error that compares an
// analytic result with either, and a test assertion on that error. It is
// for the tests of nn and bounds; the step h and the tolerance are theirs.
//
// A central difference has truncation error O(h²·f‴) and rounding error
// O(ε·|f|/h); with h = 1e-5 in float64 both are near 1e-10 for the smooth,
// O(1) functions of those tests, so a relative error of 1e-6 separates a
// correct derivative from a wrong one by orders of magnitude.
package fdcheck

import (
	"math"
	"testing"
)

// Grad returns the central-difference gradient of f with respect to every
// element of xs, the slices concatenated in order:
//
//	g_i = (f(x + h·e_i) − f(x − h·e_i)) / 2h.
//
// f reads the slices; Grad changes one element at a time and puts it back
// after its two evaluations, so the slices are unchanged when it returns.
func Grad(f func() float64, h float64, xs ...[]float64) []float64 {
	var g []float64
	for _, x := range xs {
		for i := range x {
			old := x[i]
			x[i] = old + h
			fp := f()
			x[i] = old - h
			fm := f()
			x[i] = old
			g = append(g, (fp-fm)/(2*h))
		}
	}
	return g
}

// JVP returns the central-difference derivative of F at x along v:
//
//	(F(x + h·v) − F(x − h·v)) / 2h.
//
// F may return a slice it reuses between calls.
func JVP(F func(x []float64) []float64, x, v []float64, h float64) []float64 {
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

// RelErr returns ‖a − b‖/max(‖a‖, ‖b‖) over len(a) elements, 0 for two
// zero vectors and NaN if either holds a NaN.
func RelErr(a, b []float64) float64 {
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

// Close asserts that got and want have the same length and RelErr(got,
// want) ≤ tol (a NaN error fails). A length mismatch stops the test; a
// large error is reported with the first elements of both, and the test
// goes on. Close reports whether the check passed.
func Close(t testing.TB, what string, got, want []float64, tol float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
		return false
	}
	if e := RelErr(got, want); !(e <= tol) {
		t.Errorf("%s: relative error %.3g > %.1g\n got  %.6g\n want %.6g", what, e, tol, head(got), head(want))
		return false
	}
	return true
}

// head returns the first few elements of x, for messages.
func head(x []float64) []float64 { return x[:min(len(x), 8)] }
