package linalg

import "testing"

func TestDbgCluster(t *testing.T) {
	n := 5
	s := []float64{1, 1 - 1e-10, 1 - 2e-10, 0.5, 0.5 * (1 - 1e-10)}
	rng := spRand(3)
	q := randOrthogonal(rng, n)
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var sum float64
			for l := 0; l < n; l++ {
				sum += q[i*n+l] * s[l] * q[j*n+l]
			}
			a[i*n+j] = sum
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			a[j*n+i] = a[i*n+j]
		}
	}
	var w symEigWork
	vals, vecs := make([]float64, n), make([]float64, n*n)
	c := append([]float64(nil), a...)
	w.symEigSel(n, c, n, false, vals, vecs)
	t.Logf("vals %.17g", vals)
	t.Logf("diag %.17g off %.17g", w.diag, w.off)
	for i := 0; i < n; i++ {
		t.Logf("z%d %.3g", i, w.z[i*n:(i+1)*n])
	}
}

func TestDbgCluster2(t *testing.T) {
	n := 5
	s := []float64{1, 1 - 1e-10, 1 - 2e-10, 0.5, 0.5 * (1 - 1e-10)}
	rng := spRand(3)
	q := randOrthogonal(rng, n)
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var sum float64
			for l := 0; l < n; l++ {
				sum += q[i*n+l] * s[l] * q[j*n+l]
			}
			a[i*n+j] = sum
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			a[j*n+i] = a[i*n+j]
		}
	}
	var w symEigWork
	vals, vecs := make([]float64, n), make([]float64, n*n)
	c := append([]float64(nil), a...)
	w.symEigSel(n, c, n, false, vals, vecs)
	for k := 0; k < n; k++ {
		z := w.z[k*n : (k+1)*n]
		var worst float64
		for i := 0; i < n; i++ {
			r := (w.diag[i] - vals[k]) * z[i]
			if i > 0 {
				r += w.off[i-1] * z[i-1]
			}
			if i < n-1 {
				r += w.off[i] * z[i+1]
			}
			worst = max(worst, r, -r)
		}
		v := vecs[k*n : (k+1)*n]
		av := spMatVec(a, n, n, v)
		for j := range av {
			av[j] -= vals[k] * v[j]
		}
		t.Logf("k=%d tri residual %g full %g", k, worst, spNrm2(av))
	}
	d := append([]float64(nil), w.diag...)
	e := append([]float64(nil), w.off...)
	tqlValues(n, d, e)
	t.Logf("ql %.17g", d)
}
