package linalg

import "testing"

func TestDbgInv(t *testing.T) {
	n := 5
	var w symEigWork
	w.diag = []float64{0.65588764973074987, 0.89234907532916141, 0.94733884042570782, 0.60089788461559401, 1.0321578166818683}
	w.off = []float64{0.22935967050228381, 1.198086759021837e-10, -0.19125644024922009, -1.0724116039639853e-10, 0}
	for i := range w.lu {
		w.lu[i] = make([]float64, n)
	}
	w.piv = make([]bool, n)
	d := append([]float64(nil), w.diag...)
	e := append([]float64(nil), w.off...)
	tqlValues(n, d, e)
	t.Logf("ql %.17g", d)
	lam := d[0]
	if d[1] > lam && d[1] < 0.6 { lam = d[1] }
	for _, l := range []float64{d[0], d[1]} {
		w.factorTridiag(n, l)
		t.Logf("lam %.17g pivots %.3g piv %v", l, w.lu[0], w.piv)
		z := []float64{0.3, -0.5, 0.7, 0.1, -0.2}
		for it := 0; it < 5; it++ {
			w.solveTridiag(n, z, 2.8e-16)
			nrm := spNrm2(z)
			for i := range z { z[i] /= nrm }
			tz := make([]float64, n)
			for ii := 0; ii < n; ii++ {
				tz[ii] = w.diag[ii] * z[ii]
				if ii > 0 { tz[ii] += w.off[ii-1] * z[ii-1] }
				if ii < n-1 { tz[ii] += w.off[ii] * z[ii+1] }
			}
			rq := spDot(z, tz)
			for ii := range tz { tz[ii] -= rq * z[ii] }
			t.Logf("it %d growth %g res %g z %.4g", it, nrm, spNrm2(tz), z)
		}
	}
}
