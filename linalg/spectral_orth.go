package linalg

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	lapackgo "gonum.org/v1/gonum/lapack/gonum"
)

// The small float64 factorizations of the spectral solvers run on gonum's
// native LAPACK, called directly with preallocated work so that a solver
// allocates nothing once its buffers have grown.
var spLapack lapackgo.Implementation

// OrthMethod selects how the randomized SVD orthonormalises its blocks of
// vectors.
type OrthMethod int

const (
	// OrthCholQR2 is CholeskyQR2: two passes of "Gram matrix, Cholesky,
	// triangular solve", whose work is GEMM-shaped. When the first Gram
	// matrix is too ill-conditioned for it (Cholesky fails, or its
	// diagonal spans more than cholQRMaxRatio) or the second pass is not
	// close to the identity, it falls back to Householder.
	OrthCholQR2 OrthMethod = iota
	// OrthHouseholder is Householder LQ (gonum Dgelqf, Dorglq): slower,
	// but unconditionally stable, rank-deficient blocks included.
	OrthHouseholder
)

// cholQRMaxRatio bounds max/min of the Cholesky factor's diagonal in the
// first CholeskyQR pass. The diagonal ratio underestimates cond(A), and
// CholeskyQR2 in float64 needs cond(A) ≲ 1e7, so this keeps a margin.
const cholQRMaxRatio = 1e5

// orthWork holds the scratch of orthRows.
type orthWork struct {
	gram, tau, work []float64
}

// orthRows replaces the m rows of the row-major m×n matrix a (m ≤ n) by an
// orthonormal basis of their span (any orthonormal completion when the rows
// are dependent). With CholeskyQR2, passes = 1 stops after one pass: the
// rows then span the same space with orthogonality error ~ε·cond(a)², enough
// for an intermediate subspace-iteration step. It reports whether
// Householder was used in place of a requested CholeskyQR2, and ok = false,
// leaving a unchanged, if a is not finite.
func (w *orthWork) orthRows(method OrthMethod, m, n int, a []float64, passes int) (householder, ok bool) {
	if m == 0 {
		return false, true
	}
	if m > n {
		panic("linalg: orthRows needs m ≤ n")
	}
	if method == OrthCholQR2 {
		switch w.cholQRPass(m, n, a, true) {
		case cholNonFinite:
			return false, false
		case cholDone:
			if passes < 2 || w.cholQRPass(m, n, a, false) == cholDone {
				return false, true
			}
		}
		householder = true
	} else if !spAllFinite(a[:m*n]) {
		return false, false
	}
	w.householderLQ(m, n, a)
	return householder, true
}

// Outcomes of a CholeskyQR pass.
const (
	cholDone      = iota // a ← L⁻¹a done
	cholRefused          // not accurate enough: a unchanged, use Householder
	cholNonFinite        // a holds NaN or ±Inf: a unchanged
)

// cholQRPass performs a ← L⁻¹a with a·aᵀ = L·Lᵀ. It refuses, leaving a
// unchanged, when the pass would not be accurate: on the first pass when
// the Cholesky factor is singular or too ill-conditioned, on the second when
// the rows were not already nearly orthonormal.
func (w *orthWork) cholQRPass(m, n int, a []float64, first bool) int {
	w.gram = spResize(w.gram, m*m)
	g := w.gram
	symGram(g, a, m, n)
	// ‖a_i‖² is finite exactly when row i is (and not huge).
	for i := 0; i < m; i++ {
		if d := g[i*m+i]; math.IsNaN(d) || math.IsInf(d, 0) {
			return cholNonFinite
		}
	}
	if !spLapack.Dpotrf(blas.Lower, m, g, m) {
		return cholRefused
	}
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < m; i++ {
		d := g[i*m+i]
		lo, hi = math.Min(lo, d), math.Max(hi, d)
		if !first && math.Abs(d-1) > 0.1 {
			return cholRefused
		}
	}
	if first && !(lo > 0 && hi <= cholQRMaxRatio*lo) {
		return cholRefused
	}
	// Forward substitution by rows, a_i ← (a_i − Σ_{j<i} L_ij a_j)/L_ii,
	// on the SIMD axpy (faster here than gonum's Dtrsm).
	for i := 0; i < m; i++ {
		ai := a[i*n : (i+1)*n]
		for j := 0; j < i; j++ {
			if l := g[i*m+j]; l != 0 {
				asm.Daxpy(-l, a[j*n:(j+1)*n], ai)
			}
		}
		asm.Dscal(1/g[i*m+i], ai)
	}
	return cholDone
}

// householderLQ overwrites a with the orthonormal factor Q of a = L·Q.
func (w *orthWork) householderLQ(m, n int, a []float64) {
	w.tau = spResize(w.tau, m)
	w.work = spResize(w.work, max(1, len(w.work)))
	spLapack.Dgelqf(m, n, a, n, w.tau, w.work, -1)
	lw := int(w.work[0])
	spLapack.Dorglq(m, n, m, a, n, w.tau, w.work, -1)
	lw = max(lw, int(w.work[0]), m)
	w.work = spResize(w.work, lw)
	spLapack.Dgelqf(m, n, a, n, w.tau, w.work, lw)
	spLapack.Dorglq(m, n, m, a, n, w.tau, w.work, lw)
}

// symEig computes the eigenvalues (ascending, into vals) and, if vecs is
// set, the orthonormal eigenvectors (columns of the row-major n×n a) of the
// symmetric a, in place. It reports false if the algorithm did not converge.
func (w *orthWork) symEig(n int, a, vals []float64, vecs bool) bool {
	job := lapack.EVNone
	if vecs {
		job = lapack.EVCompute
	}
	w.work = spResize(w.work, max(1, len(w.work)))
	spLapack.Dsyev(job, blas.Upper, n, a, n, vals, w.work, -1)
	lw := max(int(w.work[0]), 3*n)
	w.work = spResize(w.work, lw)
	return spLapack.Dsyev(job, blas.Upper, n, a, n, vals, w.work, lw)
}
