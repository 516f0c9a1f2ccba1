package linalg

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
)

// Jacobians forms every J_b of a batch explicitly, in float64, from one
// Apply with the d identity tangents (d JVPs per operator). It is the exact
// path for small d and the reference for the iterative solvers.
//
// A Jacobians keeps its buffers between calls: once they have grown, its
// methods allocate nothing. It is not safe for concurrent use.
type Jacobians[T asm.Float] struct {
	Batch, Rows, Cols int
	// Data holds J_b row-major at Data[b·Rows·Cols : (b+1)·Rows·Cols].
	Data []float64

	tin, tout []T
	a         []float64
	orth      orthWork
	tau, work []float64
}

// Form evaluates every Jacobian of op into j.Data.
func (j *Jacobians[T]) Form(op BatchOperator[T]) {
	B, D, d := op.Shape()
	j.Batch, j.Rows, j.Cols = B, D, d
	j.Data = spResize(j.Data, B*D*d)
	j.tin = spResize(j.tin, d*B*d)
	j.tout = spResize(j.tout, d*B*D)
	clear(j.tin)
	for t := 0; t < d; t++ {
		for b := 0; b < B; b++ {
			j.tin[(t*B+b)*d+t] = 1
		}
	}
	op.Apply(j.tin, d, j.tout)
	// Row t·B+b of the output is J_b e_t, column t of J_b.
	for b := 0; b < B; b++ {
		m := j.Matrix(b)
		for t := 0; t < d; t++ {
			col := j.tout[(t*B+b)*D : (t*B+b+1)*D]
			for i, x := range col {
				m[i*d+t] = float64(x)
			}
		}
	}
}

// Matrix returns J_b, a row-major Rows×Cols view into Data.
func (j *Jacobians[T]) Matrix(b int) []float64 {
	n := j.Rows * j.Cols
	return j.Data[b*n : (b+1)*n : (b+1)*n]
}

// SingularValues sets dst[b·n : (b+1)·n], n = min(Rows, Cols), to the
// singular values of J_b in decreasing order (gonum's Dgesvd), or to NaN for
// a non-finite Jacobian. (gonum's values-only paths allocate a little, in
// Dlasrt; so does GramSingularValues.)
func (j *Jacobians[T]) SingularValues(dst []float64) {
	B, D, d := j.Batch, j.Rows, j.Cols
	n := min(D, d)
	if len(dst) < B*n {
		panic(fmt.Sprintf("linalg: SingularValues dst has length %d, want %d", len(dst), B*n))
	}
	if n == 0 {
		return
	}
	j.a = spResize(j.a, D*d)
	for b := 0; b < B; b++ {
		out := dst[b*n : (b+1)*n]
		copy(j.a, j.Matrix(b))
		if !spAllFinite(j.a) || !j.svdValues(D, d, j.a, out) {
			for i := range out {
				out[i] = math.NaN()
			}
		}
	}
}

// GramSingularValues is SingularValues computed as the square roots of the
// eigenvalues of the d×d Gram matrix JᵀJ (one GEMM and a small symmetric
// eigenproblem per operator, in float64): several times cheaper than the
// SVD, with relative accuracy ~ε·(s_1/s_i)² instead of ~ε·s_1/s_i, which is
// ample for the leading values of a moderately conditioned J. It writes
// Cols values per operator, descending, and needs Cols ≤ Rows.
func (j *Jacobians[T]) GramSingularValues(dst []float64) {
	B, D, d := j.Batch, j.Rows, j.Cols
	if d > D {
		panic("linalg: GramSingularValues needs Cols ≤ Rows")
	}
	if len(dst) < B*d {
		panic(fmt.Sprintf("linalg: GramSingularValues dst has length %d, want %d", len(dst), B*d))
	}
	if d == 0 {
		return
	}
	j.a = spResize(j.a, max(D*d, d*d))
	j.tau = spResize(j.tau, d)
	for b := 0; b < B; b++ {
		out := dst[b*d : (b+1)*d]
		m := j.Matrix(b)
		g := j.a[:d*d]
		Gemm(true, false, d, d, D, 1, m, d, m, d, 0, g, d)
		if !spAllFinite(g) || !j.orth.symEig(d, g, j.tau, false) {
			for i := range out {
				out[i] = math.NaN()
			}
			continue
		}
		for i := range out {
			out[i] = math.Sqrt(math.Max(j.tau[d-1-i], 0))
		}
	}
}

func (j *Jacobians[T]) svdValues(m, n int, a, s []float64) bool {
	j.work = spResize(j.work, max(1, len(j.work)))
	spLapack.Dgesvd(lapack.SVDNone, lapack.SVDNone, m, n, a, n, s, nil, 1, nil, 1, j.work, -1)
	lw := int(j.work[0])
	j.work = spResize(j.work, lw)
	return spLapack.Dgesvd(lapack.SVDNone, lapack.SVDNone, m, n, a, n, s, nil, 1, nil, 1, j.work, lw)
}

// halfLogDetMaxRatio bounds max/min of the Cholesky factor's diagonal
// beyond which HalfLogDet recomputes from a QR factorization: forming JᵀJ
// squares the condition number κ, so the Cholesky route loses ~ε·κ² in each
// log s_i where QR loses ~ε·κ. The diagonal ratio is a (rough) lower bound
// on κ; at 1e2 the Cholesky error stays near 1e-10 per value.
const halfLogDetMaxRatio = 1e2

// HalfLogDet sets dst[b] = ½·log det(J_bᵀJ_b) = Σ_i log s_i(J_b), the exact
// value the singular-value bounds bracket. It uses the Cholesky factor of
// the Gram matrix (a GEMM), falling back to Householder QR (Σ log|R_ii|)
// when that is singular or too ill-conditioned; 2×2 Jacobians use the
// closed form log|det J|. The result is −Inf for a rank-deficient J
// (always when Rows < Cols) and NaN for a non-finite one.
func (j *Jacobians[T]) HalfLogDet(dst []float64) {
	B, D, d := j.Batch, j.Rows, j.Cols
	if len(dst) < B {
		panic(fmt.Sprintf("linalg: HalfLogDet dst has length %d, want %d", len(dst), B))
	}
	j.a = spResize(j.a, max(D*d, d*d))
	for b := 0; b < B; b++ {
		m := j.Matrix(b)
		switch {
		case !spAllFinite(m):
			dst[b] = math.NaN()
		case d == 0:
			dst[b] = 0
		case D < d:
			dst[b] = math.Inf(-1)
		case D == 2 && d == 2:
			dst[b] = LogAbsDet2(m[0], m[1], m[2], m[3])
		default:
			dst[b] = j.halfLogDet(D, d, m)
		}
	}
}

func (j *Jacobians[T]) halfLogDet(D, d int, m []float64) float64 {
	g := j.a[:d*d]
	Gemm(true, false, d, d, D, 1, m, d, m, d, 0, g, d)
	if spLapack.Dpotrf(blas.Lower, d, g, d) {
		lo, hi, sum := math.Inf(1), 0.0, 0.0
		for i := 0; i < d; i++ {
			x := g[i*d+i]
			lo, hi = math.Min(lo, x), math.Max(hi, x)
			sum += math.Log(x)
		}
		if lo > 0 && hi <= halfLogDetMaxRatio*lo {
			return sum // det JᵀJ = Π L_ii², so ½·log det = Σ log L_ii
		}
	}
	a := j.a[:D*d]
	copy(a, m)
	j.tau = spResize(j.tau, d)
	j.work = spResize(j.work, max(1, len(j.work)))
	spLapack.Dgeqrf(D, d, a, d, j.tau, j.work, -1)
	lw := max(int(j.work[0]), d)
	j.work = spResize(j.work, lw)
	spLapack.Dgeqrf(D, d, a, d, j.tau, j.work, lw)
	var sum float64
	for i := 0; i < d; i++ {
		sum += math.Log(math.Abs(a[i*d+i]))
	}
	return sum
}
