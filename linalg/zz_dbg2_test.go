package linalg

import (
	"math"
	"testing"
)

func TestDbgSolve(t *testing.T) {
	rng := spRand(5)
	for _, n := range []int{1, 2, 3, 5, 8} {
		var w symEigWork
		w.diag = make([]float64, n)
		w.off = make([]float64, n)
		spNormals(rng, w.diag)
		spNormals(rng, w.off)
		w.off[n-1] = 0
		for i := range w.lu {
			w.lu[i] = make([]float64, n)
		}
		w.piv = make([]bool, n)
		lam := 0.3
		w.factorTridiag(n, lam)
		x := make([]float64, n)
		spNormals(rng, x)
		z := append([]float64(nil), x...)
		w.solveTridiag(n, z, 1e-300)
		// residual (T - lam I) z - x
		var worst float64
		for i := 0; i < n; i++ {
			r := (w.diag[i] - lam) * z[i]
			if i > 0 {
				r += w.off[i-1] * z[i-1]
			}
			if i < n-1 {
				r += w.off[i] * z[i+1]
			}
			worst = math.Max(worst, math.Abs(r-x[i]))
		}
		t.Logf("n=%d worst %g piv %v", n, worst, w.piv)
	}
}
