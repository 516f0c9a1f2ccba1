package classify

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/ebmcpu/ebmcpu/gaussian"
)

// FrechetDistance returns the squared Fréchet (2-Wasserstein) distance
// between the Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂),
//
//	d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½,
//
// the quantity FID reports for Inception features. The trace term equals
// tr (Σ₁Σ₂)^½ (the two matrices are similar) but is computed from symmetric
// positive semi-definite matrices only: Σ₁^½ from the eigendecomposition
// of Σ₁, then the eigenvalues of M = Σ₁^½ Σ₂ Σ₁^½, all in float64, with
// eigenvalues that rounding made slightly negative taken as zero. A result
// that rounding made negative is returned as 0. Non-finite inputs give
// NaN; mismatched sizes are an error.
func FrechetDistance(a, b *gaussian.Moments) (float64, error) {
	d := len(a.Mean)
	if len(b.Mean) != d || a.Cov.SymmetricDim() != d || b.Cov.SymmetricDim() != d {
		return 0, fmt.Errorf("classify: FrechetDistance: dimensions %d/%d and %d/%d differ",
			len(a.Mean), a.Cov.SymmetricDim(), len(b.Mean), b.Cov.SymmetricDim())
	}
	if !finite(a) || !finite(b) {
		return math.NaN(), nil
	}
	var d2 float64
	for i, m := range a.Mean {
		d2 += (m - b.Mean[i]) * (m - b.Mean[i])
	}
	for i := 0; i < d; i++ {
		d2 += a.Cov.At(i, i) + b.Cov.At(i, i)
	}
	s, err := sqrtPSD(a.Cov)
	if err != nil {
		return 0, err
	}
	var sb, m mat.Dense
	sb.Mul(s, b.Cov)
	m.Mul(&sb, s)
	tr, err := traceSqrtPSD(symmetrise(&m))
	if err != nil {
		return 0, err
	}
	return max(d2-2*tr, 0), nil
}

// finite reports whether the mean and covariance of g are finite.
func finite(g *gaussian.Moments) bool {
	for i, m := range g.Mean {
		if math.IsNaN(m) || math.IsInf(m, 0) {
			return false
		}
		for j := i; j < len(g.Mean); j++ {
			if v := g.Cov.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// errEigen reports a failed eigendecomposition (non-finite entries).
var errEigen = errors.New("classify: eigendecomposition failed")

// sqrtPSD returns the symmetric square root V·diag(√max(λ, 0))·Vᵀ of the
// symmetric positive semi-definite a = V·diag(λ)·Vᵀ.
func sqrtPSD(a *mat.SymDense) (*mat.SymDense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(a, true) {
		return nil, errEigen
	}
	var v mat.Dense
	eig.VectorsTo(&v)
	vals := eig.Values(nil)
	for i, l := range vals {
		vals[i] = math.Sqrt(max(l, 0))
	}
	n := len(vals)
	out := mat.NewSymDense(n, nil)
	// out = Σ_k √λ_k v_k v_kᵀ
	for k, l := range vals {
		if l == 0 {
			continue
		}
		col := mat.Col(nil, k, &v)
		out.SymRankOne(out, l, mat.NewVecDense(n, col))
	}
	return out, nil
}

// traceSqrtPSD returns Σ √max(λ, 0) over the eigenvalues λ of the
// symmetric a.
func traceSqrtPSD(a *mat.SymDense) (float64, error) {
	var eig mat.EigenSym
	if !eig.Factorize(a, false) {
		return 0, errEigen
	}
	var t float64
	for _, l := range eig.Values(nil) {
		t += math.Sqrt(max(l, 0))
	}
	return t, nil
}

// symmetrise returns (m + mᵀ)/2 for a square m that rounding has made
// slightly asymmetric.
func symmetrise(m *mat.Dense) *mat.SymDense {
	n, _ := m.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	return s
}
