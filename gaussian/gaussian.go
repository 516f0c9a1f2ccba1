package gaussian

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/ebmcpu/ebmcpu/nn"
)

// Moments are the mean and the covariance of a set of points, the
// covariance with the unbiased 1/(n−1) normalisation (numpy.cov's default,
// as FID uses).
type Moments struct {
	Mean []float64
	Cov  *mat.SymDense
	N    int // number of points fitted
}

// FitMoments returns the moments of the n×d row-major points x (float64
// accumulation). It needs at least two rows.
func FitMoments(x []float32, d int) (*Moments, error) {
	if d <= 0 || len(x)%d != 0 {
		return nil, fmt.Errorf("gaussian: %d values are not rows of width %d", len(x), d)
	}
	n := len(x) / d
	if n < 2 {
		return nil, fmt.Errorf("gaussian: a fit needs at least 2 points, got %d", n)
	}
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		row := centred.RawRowView(i)
		for j, v := range x[i*d : (i+1)*d] {
			row[j] = float64(v) - mean[j]
		}
	}
	cov := mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n-1), centred.T())
	return &Moments{Mean: mean, Cov: cov, N: n}, nil
}

// Model is N(μ, Σ + λI) with its Cholesky factor L (LLᵀ = Σ + λI).
type Model struct {
	Mean     []float64
	Chol     *mat.TriDense
	Ridge    float64 // λ
	RelRidge float64 // λ / (tr Σ / D)
	N        int     // points fitted
	logDet   float64 // log det(Σ + λI)
}

// New adds the relative ridge rel to the covariance of m and factorises it;
// m is not changed.
func New(m *Moments, rel float64) (*Model, error) {
	if !(rel >= 0) || math.IsInf(rel, 1) {
		return nil, fmt.Errorf("gaussian: relative ridge %v, want a finite value ≥ 0", rel)
	}
	D := len(m.Mean)
	var tr float64
	for j := 0; j < D; j++ {
		tr += m.Cov.At(j, j)
	}
	ridge := math.Max(rel*tr/float64(D), 1e-12)
	cov := mat.NewSymDense(D, nil)
	cov.CopySym(m.Cov)
	for j := 0; j < D; j++ {
		cov.SetSym(j, j, cov.At(j, j)+ridge)
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return nil, errors.New("gaussian: the covariance is not positive definite even with the ridge")
	}
	var L mat.TriDense
	ch.LTo(&L)
	return &Model{Mean: m.Mean, Chol: &L, Ridge: ridge, RelRidge: rel, N: m.N, logDet: ch.LogDet()}, nil
}

// Choose returns the model of m whose relative ridge, among rels, gives
// the held-out points (n×D) the highest mean log-density; ridges too small
// to make the covariance positive definite are skipped.
func Choose(m *Moments, rels []float64, held []float64) (*Model, error) {
	var best *Model
	bestLL := math.Inf(-1)
	for _, rel := range rels {
		cand, err := New(m, rel)
		if err != nil {
			continue
		}
		lp := cand.LogDensity(held)
		var ll float64
		for _, v := range lp {
			ll += v
		}
		if ll /= float64(len(lp)); ll > bestLL {
			best, bestLL = cand, ll
		}
	}
	if best == nil {
		return nil, fmt.Errorf("gaussian: no ridge of %v gives a positive definite covariance and finite held-out likelihoods", rels)
	}
	return best, nil
}

// LogDensity returns log N(x_i; μ, Σ + λI) of the rows of x (n×D).
func (g *Model) LogDensity(x []float64) []float64 {
	D := len(g.Mean)
	n := len(x) / D
	r := make([]float64, n*D)
	for i := 0; i < n; i++ {
		for j, v := range x[i*D : (i+1)*D] {
			r[i*D+j] = v - g.Mean[j]
		}
	}
	// R := R·L⁻ᵀ: row i becomes (L⁻¹(x_i − μ))ᵀ.
	blas64.Trsm(blas.Right, blas.Trans, 1, g.Chol.RawTriangular(), blas64.General{Rows: n, Cols: D, Stride: D, Data: r})
	c := -0.5*g.logDet - 0.5*float64(D)*math.Log(2*math.Pi)
	out := make([]float64, n)
	for i := range out {
		var q float64
		for _, v := range r[i*D : (i+1)*D] {
			q += v * v
		}
		out[i] = c - 0.5*q
	}
	return out
}

// Precision returns (Σ + λI)⁻¹, D×D row-major, from the factor: L⁻ᵀL⁻¹.
// A badly conditioned factor still inverts (the ridge bounds the condition
// number); only a singular one is an error.
func (g *Model) Precision() ([]float64, error) {
	D := len(g.Mean)
	var linv mat.TriDense
	if err := linv.InverseTri(g.Chol); err != nil {
		if _, ill := err.(mat.Condition); !ill {
			return nil, fmt.Errorf("gaussian: precision: %w", err)
		}
	}
	var p mat.Dense
	p.Mul(linv.T(), &linv)
	out := make([]float64, D*D)
	for i := 0; i < D; i++ {
		for j := 0; j < D; j++ {
			out[i*D+j] = 0.5 * (p.At(i, j) + p.At(j, i)) // exactly symmetric
		}
	}
	return out, nil
}

// Sample returns n draws μ + Lξ, ξ ∼ N(0, I) from stream, each coordinate
// clipped to [lo, hi] (the range of valid pixels, or ±Inf), n×D.
func (g *Model) Sample(n int, lo, hi float64, stream *nn.Stream) []float64 {
	D := len(g.Mean)
	L := g.Chol.RawTriangular() // lower, row-major
	x := make([]float64, n*D)
	xi := make([]float64, D)
	for i := 0; i < n; i++ {
		nn.Normal(stream, xi)
		row := x[i*D : (i+1)*D]
		for r := 0; r < D; r++ {
			s := g.Mean[r]
			for c, l := range L.Data[r*L.Stride : r*L.Stride+r+1] {
				s += l * xi[c]
			}
			row[r] = math.Min(math.Max(s, lo), hi)
		}
	}
	return x
}
