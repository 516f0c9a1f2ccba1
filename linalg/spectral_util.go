package linalg

import (
	"math"
	"math/rand/v2"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Helpers shared by the spectral solvers: per-operator random streams,
// moving one operator's vectors between the tangent layout (type T) and a
// contiguous float64 block, and buffer management.

// spResize returns s with length n, reusing its storage when it is large
// enough; the contents are unspecified.
func spResize[E any](s []E, n int) []E {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]E, n)
}

// splitmix64 is the SplitMix64 finaliser; it turns (seed, index) pairs into
// well-separated PCG seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// spStreams holds one random stream per operator. Operator b of a call draws
// from the stream of (seed, offset+b) only, so its draws do not depend on
// the batch it is part of: a batch gives bit-identical results to its
// operators run one at a time (with the matching offsets).
type spStreams struct {
	src []rand.PCG
	rng []*rand.Rand
}

// reset seeds n streams for operators offset, …, offset+n−1.
func (s *spStreams) reset(seed uint64, offset, n int) {
	if len(s.src) < n {
		s.src = make([]rand.PCG, n)
		s.rng = make([]*rand.Rand, n)
		for i := range s.src {
			s.rng[i] = rand.New(&s.src[i])
		}
	}
	for b := 0; b < n; b++ {
		h := splitmix64(seed ^ splitmix64(uint64(offset+b)))
		s.src[b].Seed(h, splitmix64(h))
	}
}

// spNormals fills x with standard normal draws from r.
func spNormals(r *rand.Rand, x []float64) {
	for i := range x {
		x[i] = r.NormFloat64()
	}
}

// gatherRows copies the k vectors of operator b (each of length n) from the
// tangent block src of a batch of B into the contiguous k×n block dst.
func gatherRows[T asm.Float](dst []float64, src []T, k, n, batch, b int) {
	for t := 0; t < k; t++ {
		row := src[(t*batch+b)*n : (t*batch+b+1)*n]
		d := dst[t*n : (t+1)*n]
		for i, x := range row {
			d[i] = float64(x)
		}
	}
}

// scatterRows is the inverse of gatherRows: it writes the contiguous k×n
// block src as the k vectors of operator b in the tangent block dst.
func scatterRows[T asm.Float](dst []T, src []float64, k, n, batch, b int) {
	for t := 0; t < k; t++ {
		row := dst[(t*batch+b)*n : (t*batch+b+1)*n]
		s := src[t*n : (t+1)*n]
		for i, x := range s {
			row[i] = T(x)
		}
	}
}

// roundTo rounds every element of x to the precision of T in place, so that
// float64 vectors equal what an operator over T is given.
func roundTo[T asm.Float](x []float64) {
	if !asm.Is32[T]() {
		return
	}
	for i, v := range x {
		x[i] = float64(float32(v))
	}
}

// spAllFinite reports whether no element of x is NaN or ±Inf.
func spAllFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// symGram sets the r×r g to a·aᵀ for the row-major r×n a.
func symGram(g, a []float64, r, n int) {
	for i := 0; i < r; i++ {
		ai := a[i*n : (i+1)*n]
		for j := 0; j <= i; j++ {
			v := asm.Ddot(ai, a[j*n:(j+1)*n])
			g[i*r+j], g[j*r+i] = v, v
		}
	}
}

// combineRows sets row i of the row-major m×n out to Σ_j c[j·ldc+i]·src_j
// over the r rows of src (out = cᵀ·src for the r×m c with stride ldc).
func combineRows(out []float64, m, n int, c []float64, ldc int, src []float64, r int) {
	clear(out[:m*n])
	for i := 0; i < m; i++ {
		oi := out[i*n : (i+1)*n]
		for j := 0; j < r; j++ {
			if cj := c[j*ldc+i]; cj != 0 {
				asm.Daxpy(cj, src[j*n:(j+1)*n], oi)
			}
		}
	}
}

// spEpsOf returns the unit round-off of T.
func spEpsOf[T asm.Float]() float64 {
	if asm.Is32[T]() {
		return 0x1p-24
	}
	return 0x1p-53
}
