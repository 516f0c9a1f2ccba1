package reference

import (
	"math"
	"math/rand/v2"
)

// gaussianSample returns n points of N(mu, LLᵀ) for the lower factor L (d×d).
func gaussianSample(rng *rand.Rand, n int, mu, L []float64) []float64 {
	d := len(mu)
	x := make([]float64, n*d)
	xi := make([]float64, d)
	for i := range n {
		normals(rng, xi)
		for r := range d {
			v := mu[r]
			for k := 0; k <= r; k++ {
				v += L[r*d+k] * xi[k]
			}
			x[i*d+r] = v
		}
	}
	return x
}

// ringSample returns n points of the "rings" toy set: radius R ∈ {3, 2.25,
// 1.5, 0.75} uniformly, angle uniform, plus N(0, 0.08²I).
func ringSample(rng *rand.Rand, n int) []float64 {
	x := make([]float64, 2*n)
	for i := range n {
		r := 0.75 * float64(1+index(rng, 4))
		s, c := math.Sincos(2 * math.Pi * unit(rng))
		a, b := normal2(rng)
		x[2*i], x[2*i+1] = r*c+0.08*a, r*s+0.08*b
	}
	return x
}
