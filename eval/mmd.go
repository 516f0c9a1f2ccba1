package eval

import (
	"fmt"
	"math"
	"slices"
)

// MMD2 returns the unbiased estimate of the squared maximum mean
// discrepancy between the samples x (m×D) and y (n×D) under the RBF kernel
// k(a, b) = exp(−‖a − b‖²/(2h²)),
//
//	MMD²_u = Σ_{i≠j} k(x_i, x_j)/(m(m−1)) + Σ_{i≠j} k(y_i, y_j)/(n(n−1)) − 2·Σ_{i,j} k(x_i, y_j)/(mn),
//
// in float64. Its expectation is exactly MMD² (zero for one distribution),
// so it can be negative. h ≤ 0 selects the median heuristic (MedianBandwidth
// of the pooled samples); the bandwidth used is returned. Cost O((m+n)²·D).
func MMD2(x, y []float64, D int, h float64) (mmd2, bandwidth float64, err error) {
	if D < 1 || len(x)%D != 0 || len(y)%D != 0 {
		return 0, 0, fmt.Errorf("eval: MMD2: samples of %d and %d values are not whole rows of width %d", len(x), len(y), D)
	}
	m, n := len(x)/D, len(y)/D
	if m < 2 || n < 2 {
		return 0, 0, fmt.Errorf("eval: MMD2 needs at least two samples on each side, got %d and %d", m, n)
	}
	if !(h > 0) {
		h = MedianBandwidth(x, y, D)
	}
	if !(h > 0) || math.IsInf(h, 0) {
		return 0, h, fmt.Errorf("eval: MMD2: bandwidth %v (the samples coincide or are not finite)", h)
	}
	inv := 1 / (2 * h * h)
	kxx := 2 * sumKernel(x, x, D, inv, true) / float64(m*(m-1))
	kyy := 2 * sumKernel(y, y, D, inv, true) / float64(n*(n-1))
	kxy := sumKernel(x, y, D, inv, false) / float64(m*n)
	return kxx + kyy - 2*kxy, h, nil
}

// sumKernel returns Σ k(a_i, b_j) over all pairs, or over i < j when
// upper (a and b the same sample).
func sumKernel(a, b []float64, D int, inv float64, upper bool) float64 {
	na, nb := len(a)/D, len(b)/D
	var total float64
	for i := 0; i < na; i++ {
		ai := a[i*D : (i+1)*D]
		j0 := 0
		if upper {
			j0 = i + 1
		}
		var row float64
		for j := j0; j < nb; j++ {
			row += math.Exp(-sqDist(ai, b[j*D:(j+1)*D]) * inv)
		}
		total += row
	}
	return total
}

func sqDist(a, b []float64) float64 {
	var s float64
	for k, v := range a {
		d := v - b[k]
		s += d * d
	}
	return s
}

// medianPoints is how many points of each sample enter the median heuristic.
const medianPoints = 500

// MedianBandwidth returns the median heuristic h: the median distance
// between distinct points of the pooled sample (the first 500 points of each
// of x and y).
func MedianBandwidth(x, y []float64, D int) float64 {
	px := x[:min(len(x), medianPoints*D)]
	py := y[:min(len(y), medianPoints*D)]
	pool := append(slices.Clone(px), py...)
	n := len(pool) / D
	d2 := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d2 = append(d2, sqDist(pool[i*D:(i+1)*D], pool[j*D:(j+1)*D]))
		}
	}
	if len(d2) == 0 {
		return math.NaN()
	}
	slices.Sort(d2)
	k := len(d2) / 2
	med := d2[k]
	if len(d2)%2 == 0 {
		med = (d2[k-1] + d2[k]) / 2
	}
	return math.Sqrt(med)
}
