package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
	"gonum.org/v1/gonum/mat"
)

// Shared helpers of the spectral tests: matrices U·diag(s)·Vᵀ with random
// orthogonal U, V and controlled spectra, and batches of them.

// spectrum names a family of singular-value profiles.
type spectrum int

const (
	specGeometric spectrum = iota // s_i = 0.7^i
	specClustered                 // groups of 3 values 1e-9 apart
	specFlat                      // all ones
	specCond1e6                   // log-spaced from 1 to 1e-6
	specRankDef                   // geometric, then exact zeros (rank n/2)
)

var allSpectra = []spectrum{specGeometric, specClustered, specFlat, specCond1e6, specRankDef}

func (s spectrum) String() string {
	return [...]string{"geometric", "clustered", "flat", "cond1e6", "rankdef"}[s]
}

// values returns n singular values, descending.
func (s spectrum) values(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch s {
		case specGeometric:
			v[i] = math.Pow(0.7, float64(i))
		case specClustered:
			v[i] = math.Pow(0.5, float64(i/3)) * (1 - 1e-9*float64(i%3))
		case specFlat:
			v[i] = 1
		case specCond1e6:
			v[i] = math.Pow(10, -6*float64(i)/float64(max(n-1, 1)))
		case specRankDef:
			if i < (n+1)/2 {
				v[i] = math.Pow(0.7, float64(i))
			}
		}
	}
	return v
}

// randOrthogonal returns a Haar-random n×n orthogonal matrix, row-major.
func randOrthogonal(rng *rand.Rand, n int) []float64 {
	g := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	// Fix the signs by diag(R) so the distribution is Haar.
	var r mat.Dense
	qr.RTo(&r)
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			out[i*n+j] = q.At(i, j) * math.Copysign(1, r.At(j, j))
		}
	}
	return out
}

// withSpectrum returns the row-major D×d matrix U·diag(s)·Vᵀ, len(s) =
// min(D, d), with random orthogonal U and V.
func withSpectrum(rng *rand.Rand, D, d int, s []float64) []float64 {
	u, v := randOrthogonal(rng, D), randOrthogonal(rng, d)
	a := make([]float64, D*d)
	for i := 0; i < D; i++ {
		for j := 0; j < d; j++ {
			var x float64
			for k, sk := range s {
				x += u[i*D+k] * sk * v[j*d+k]
			}
			a[i*d+j] = x
		}
	}
	return a
}

// batchWithSpectrum returns B matrices of the given spectrum (scaled by
// 1 + b/4 so the operators differ) and their singular values, descending.
func batchWithSpectrum(rng *rand.Rand, B, D, d int, sp spectrum) (data []float64, sv [][]float64) {
	for b := 0; b < B; b++ {
		s := sp.values(min(D, d))
		for i := range s {
			s[i] *= 1 + float64(b)/4
		}
		data = append(data, withSpectrum(rng, D, d, s)...)
		sv = append(sv, s)
	}
	return data, sv
}

func spToT[T asm.Float](x []float64) []T {
	y := make([]T, len(x))
	for i, v := range x {
		y[i] = T(v)
	}
	return y
}

// denseSV returns the singular values of the row-major m×n matrix a.
func denseSV(a []float64, m, n int) []float64 {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(m, n, append([]float64(nil), a...)), mat.SVDNone) {
		panic("gonum SVD failed")
	}
	return svd.Values(nil)
}

// tangentRow returns vector t of operator b from a tangent block.
func tangentRow[T asm.Float](x []T, t, b, batch, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(x[(t*batch+b)*n+i])
	}
	return out
}

// matVec returns a·x for the row-major m×n a.
func spMatVec(a []float64, m, n int, x []float64) []float64 {
	y := make([]float64, m)
	for i := 0; i < m; i++ {
		y[i] = asm.Dot(a[i*n:(i+1)*n], x)
	}
	return y
}

// matTVec returns aᵀ·y for the row-major m×n a.
func spMatTVec(a []float64, m, n int, y []float64) []float64 {
	x := make([]float64, n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			x[j] += a[i*n+j] * y[i]
		}
	}
	return x
}

func spSameBits[T asm.Float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return false
		}
	}
	return true
}

func spRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// TestSpectralHelpers checks the test matrices themselves against gonum.
func TestSpectralHelpers(t *testing.T) {
	rng := spRand(1)
	for _, sp := range allSpectra {
		want := sp.values(7)
		got := denseSV(withSpectrum(rng, 11, 7, want), 11, 7)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-14 {
				t.Errorf("%v: s_%d = %g, want %g", sp, i, got[i], want[i])
			}
		}
	}
}
