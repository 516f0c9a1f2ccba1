package linalg

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// A selective symmetric eigensolver for the small dense problems of the
// spectral solvers (the ℓ×ℓ Rayleigh–Ritz matrix of the randomized SVD, the
// d×d Gram matrix of its exact route): n up to a few dozen, only the k
// largest (or smallest) eigenpairs wanted. gonum's Dsyev computes all
// vectors through level-2 BLAS calls and costs 80 µs at n = 24 and 330 µs at
// n = 32 here; this one reduces to tridiagonal form (Householder), finds the
// eigenvalues by root-free implicit QL, and only the k wanted vectors by inverse
// iteration on the tridiagonal matrix and back-transformation, the scheme of
// LAPACK's Dsytrd + Dsterf + Dstein + Dormtr, in a few times less time.

// symEigWork holds the scratch of symEigSel.
type symEigWork struct {
	diag, off []float64 // tridiagonal T (diagonal, off-diagonal)
	d, e      []float64 // QL copies
	tau       []float64 // Householder scalars
	p         []float64 // tridiagonalization scratch
	lu        [5][]float64
	piv       []bool
	z         []float64 // tridiagonal eigenvectors, k×n
	idx       []int
}

// symEigMaxQL bounds the implicit QL iterations per eigenvalue.
const symEigMaxQL = 60

// symEigSel computes k eigenpairs of the symmetric row-major n×n matrix a
// (both triangles set; a is destroyed): the k largest, descending, or with
// lowest set the k smallest, ascending. vals receives the eigenvalues and,
// if vecs is not nil, row i of the row-major k×n vecs the unit eigenvector of
// vals[i]; the rows are orthonormal. It reports false, with vals and vecs
// unspecified, if a is not finite or QL did not converge.
func (w *symEigWork) symEigSel(n int, a []float64, k int, lowest bool, vals, vecs []float64) bool {
	if k < 0 || k > n {
		panic("linalg: symEigSel needs 0 ≤ k ≤ n")
	}
	if n == 0 || k == 0 {
		return true
	}
	a = a[:n*n]
	// Scale to max |a_ij| = 1 so that squares neither overflow nor
	// underflow in the plain sqrt(f² + g²) of the rotations.
	var amax float64
	for _, x := range a {
		if ax := math.Abs(x); ax > amax || ax != ax {
			if ax != ax || math.IsInf(ax, 0) {
				return false
			}
			amax = ax
		}
	}
	if amax == 0 {
		for i := 0; i < k; i++ {
			vals[i] = 0
			if vecs != nil {
				row := vecs[i*n : (i+1)*n]
				clear(row)
				row[i] = 1
			}
		}
		return true
	}
	asm.Dscal(1/amax, a)
	w.diag = spResize(w.diag, n)
	w.off = spResize(w.off, n)
	w.tau = spResize(w.tau, n)
	w.p = spResize(w.p, n)
	w.tridiagonalize(n, a)

	// Eigenvalues by implicit QL on a copy of T.
	w.d = spResize(w.d, n)
	w.e = spResize(w.e, n)
	copy(w.d, w.diag)
	copy(w.e, w.off)
	if !tqlValues(n, w.d, w.e) {
		return false
	}
	// Select: k largest (descending) or smallest (ascending), by partial
	// selection sort (k and n are small).
	w.idx = spResize(w.idx, n)
	for i := range w.idx {
		w.idx[i] = i
	}
	for i := 0; i < k; i++ {
		best := i
		for j := i + 1; j < n; j++ {
			x, y := w.d[w.idx[j]], w.d[w.idx[best]]
			if (!lowest && x > y) || (lowest && x < y) {
				best = j
			}
		}
		w.idx[i], w.idx[best] = w.idx[best], w.idx[i]
		vals[i] = w.d[w.idx[i]]
	}
	if vecs != nil {
		w.z = spResize(w.z, k*n)
		w.tridiagVectors(n, k, vals)
		w.backTransform(n, k, a, vecs)
	}
	for i := 0; i < k; i++ {
		vals[i] *= amax
	}
	return true
}

// tridiagonalize reduces the symmetric a to T = Qᵀ a Q (w.diag, w.off) by
// Householder reflectors H_j = I − τ_j v_j v_jᵀ, j = 0…n−3, with v_j
// supported on j+1…n−1, v_j[j+1] = 1. Only the lower triangle of a is
// read and updated (as LAPACK's Dsytd2 with uplo = L: half the work of
// the full-storage update); row j's upper part, which the reduction no
// longer reads, keeps v_j in its columns j+1…n−1.
func (w *symEigWork) tridiagonalize(n int, a []float64) {
	for j := 0; j < n-2; j++ {
		m := n - j - 1
		x := a[j*n+j+1 : j*n+n]
		for i := range x { // column j below the diagonal, the current one
			x[i] = a[(j+1+i)*n+j]
		}
		w.diag[j] = a[j*n+j]
		alpha := x[0]
		sig := dotSmall(x[1:], x[1:])
		if sig == 0 {
			w.tau[j] = 0
			w.off[j] = alpha
			x[0] = 1
			continue
		}
		beta := -math.Copysign(math.Sqrt(alpha*alpha+sig), alpha)
		w.tau[j] = (beta - alpha) / beta
		sc := 1 / (alpha - beta)
		for i := range x[1:] {
			x[1+i] *= sc
		}
		x[0] = 1
		w.off[j] = beta
		// p = τ·A22·v from the lower triangle (each element a_ic, c < i,
		// serves row i and row c), then q = p − (τ/2)(pᵀv)v and
		// A22 −= v qᵀ + q vᵀ on the lower triangle.
		p := w.p[:m]
		clear(p)
		base := (j+1)*n + j + 1
		for i := 0; i < m; i++ {
			row := a[base+i*n : base+i*n+i+1]
			xi := x[i]
			var s0, s1 float64
			c := 0
			for ; c+2 <= i; c += 2 {
				s0 += row[c] * x[c]
				s1 += row[c+1] * x[c+1]
				p[c] += row[c] * xi
				p[c+1] += row[c+1] * xi
			}
			if c < i {
				s0 += row[c] * x[c]
				p[c] += row[c] * xi
			}
			p[i] += s0 + s1 + row[i]*xi
		}
		tau := w.tau[j]
		for i := range p {
			p[i] *= tau
		}
		axpySmall(-0.5*tau*dotSmall(p, x), x, p)
		for i := 0; i < m; i++ {
			row := a[base+i*n : base+i*n+i+1]
			xi, pi := x[i], p[i]
			for c := range row {
				row[c] -= xi*p[c] + pi*x[c]
			}
		}
	}
	if n >= 2 {
		w.diag[n-2] = a[(n-2)*n+n-2]
		w.off[n-2] = a[(n-1)*n+n-2]
	}
	w.diag[n-1] = a[n*n-1]
	w.off[n-1] = 0
}

// tqlValues overwrites d with the eigenvalues (unordered) of the symmetric
// tridiagonal matrix with diagonal d and off-diagonal e (e[i] couples i and
// i+1; e[n−1] is ignored and e is destroyed), by the root-free implicit QL
// of EISPACK's tqlrat: it works on the squares e[i]², so a step takes three
// divisions and no square root, against tql1's square root and division in
// a chain twice as long (the values of a 32×32 matrix in less than half the
// time). Its test for a negligible e[m] is absolute, |e[m]| ≤ ε·‖T‖, which
// the Householder reduction before it cannot beat anyway. It reports
// convergence.
func tqlValues(n int, d, e []float64) bool {
	d, e2 := d[:n], e[:n]
	for i := range e2[:n-1] {
		e2[i] *= e2[i]
	}
	e2[n-1] = 0
	const eps = 0x1p-52
	var f, t, b, c float64 // the shift so far; the largest |d_l| + |e_l|; ε·t; (ε·t)²
	for l := 0; l < n; l++ {
		if h := math.Abs(d[l]) + math.Sqrt(e2[l]); h > t {
			t, b = h, eps*h
			c = b * b
		}
		for iter := 0; ; iter++ {
			m := l
			for m < n-1 && e2[m] > c {
				m++
			}
			if m == l {
				break
			}
			if iter == symEigMaxQL {
				return false
			}
			// Shift by the eigenvalue of the leading 2×2 nearer d[l].
			s := math.Sqrt(e2[l])
			g := d[l]
			p := (d[l+1] - g) / (2 * s)
			d[l] = s / (p + math.Copysign(math.Hypot(p, 1), p))
			h := g - d[l]
			for i := l + 1; i < n; i++ {
				d[i] -= h
			}
			f += h
			// The rational QL sweep from m up to l.
			g = d[m]
			if g == 0 {
				g = b
			}
			h, s = g, 0
			for i := m - 1; i >= l; i-- {
				p := g * h
				r := p + e2[i]
				pr := p / r // apart from g's division, off the chain through g
				e2[i+1] = s * r
				s = e2[i] / r
				d[i+1] = h + s*(h+d[i])
				g = d[i] - e2[i]/g
				if g == 0 {
					g = b
				}
				h = g * pr
			}
			e2[l] = s * g
			d[l] = h
			// e2[l] holds e[l]²/h here: converged if that is negligible.
			if h == 0 || math.Abs(e2[l]) <= math.Abs(c/h) {
				break
			}
			if e2[l] *= h; e2[l] == 0 {
				break
			}
		}
		d[l] += f
	}
	return true
}

// tridiagVectors computes in w.z (k×n) unit eigenvectors of T = (w.diag,
// w.off) for the eigenvalues vals[:k] by inverse iteration (LAPACK Dstein):
// a factorization of T − λI with partial pivoting, tiny pivots perturbed,
// two solves from a fixed start, each vector orthogonalized against the
// earlier ones of its cluster (eigenvalues closer than 1e-3·‖T‖).
func (w *symEigWork) tridiagVectors(n, k int, vals []float64) {
	var tnorm float64
	for i := 0; i < n; i++ {
		s := math.Abs(w.diag[i])
		if i > 0 {
			s += math.Abs(w.off[i-1])
		}
		if i < n-1 {
			s += math.Abs(w.off[i])
		}
		tnorm = math.Max(tnorm, s)
	}
	for i := range w.lu {
		w.lu[i] = spResize(w.lu[i], n)
	}
	w.piv = spResize(w.piv, n)
	const eps = 0x1p-52
	ortol := 1e-3 * tnorm
	pert := eps * tnorm
	if pert == 0 {
		pert = 0x1p-1000
	}
	for i := 0; i < k; i++ {
		lam := vals[i]
		// Members of lam's cluster among the earlier vectors: consecutive
		// in sorted order, so scan back while they stay close.
		first := i
		for first > 0 && math.Abs(vals[first-1]-vals[first]) <= ortol {
			first--
		}
		// Separate exactly equal eigenvalues slightly, as Dstein does, so
		// that the factorizations differ.
		if i > first {
			lam = vals[i] + float64(i-first)*pert*10
		}
		w.factorTridiag(n, lam, pert)
		z := w.z[i*n : (i+1)*n]
		// Fixed, deterministic start with components of both signs.
		seed := uint64(0x9e3779b97f4a7c15) + uint64(i)
		for j := range z {
			seed = seed*6364136223846793005 + 1442695040888963407
			z[j] = 2*float64(seed>>11)*0x1p-53 - 1
		}
		// λ is accurate to ε‖T‖: the first solve already grows the wanted
		// component by ~1/ε; the second cleans up (Dstein's extra step).
		for it := 0; it < 2; it++ {
			w.solveTridiag(n, z)
			for c := first; c < i; c++ {
				zc := w.z[c*n : (c+1)*n]
				axpySmall(-dotSmall(z, zc), zc, z)
			}
			nrm := normT(z)
			if nrm == 0 || math.IsInf(nrm, 0) || nrm != nrm {
				// Degenerate: fall back to a unit vector, orthogonalized.
				clear(z)
				z[i%n] = 1
				for c := first; c < i; c++ {
					zc := w.z[c*n : (c+1)*n]
					asm.Daxpy(-asm.Ddot(z, zc), zc, z)
				}
				nrm = normT(z)
			}
			asm.Dscal(1/nrm, z)
		}
	}
}

// factorTridiag factors T − λI = P·L·U with partial pivoting (as LAPACK
// Dlagtf): lu[0] the diagonal of U, lu[1] and lu[2] its first and second
// superdiagonals, lu[3] the multipliers, lu[4] the reciprocal pivots (those
// below pert in magnitude replaced by ±pert), piv the interchanges.
func (w *symEigWork) factorTridiag(n int, lam, pert float64) {
	a, b, c, d2 := w.lu[0][:n], w.lu[1][:n], w.lu[3][:n], w.lu[2][:n]
	for i := 0; i < n; i++ {
		a[i] = w.diag[i] - lam
		b[i] = w.off[i]
		c[i] = w.off[i]
		d2[i] = 0
	}
	b[n-1], c[n-1] = 0, 0
	for k := 0; k < n-1; k++ {
		// Plain partial pivoting (multipliers ≤ 1, as LINPACK's dgtsl):
		// Dlagtf's scaled choice can keep a tiny pivot with a huge
		// multiplier when T nearly splits, which spoils the vectors.
		if math.Abs(c[k]) <= math.Abs(a[k]) {
			w.piv[k] = false
			if c[k] != 0 { // a[k] ≠ 0 here
				c[k] /= a[k]
				a[k+1] -= c[k] * b[k]
			}
			continue
		}
		w.piv[k] = true
		mult := a[k] / c[k]
		a[k] = c[k]
		t := a[k+1]
		a[k+1] = b[k] - mult*t
		if k < n-2 {
			d2[k] = b[k+1]
			b[k+1] = -mult * d2[k]
		}
		b[k] = t
		c[k] = mult
	}
	// Reciprocal pivots, tiny ones perturbed to ±pert (Dlagts, job −1).
	inv := w.lu[4][:n]
	for k, ak := range a {
		if math.Abs(ak) < pert {
			ak = math.Copysign(pert, ak)
		}
		inv[k] = 1 / ak
	}
}

// solveTridiag overwrites z with (T − λI)⁻¹z from the factors of
// factorTridiag, and rescales when the solution grows past 1e200.
func (w *symEigWork) solveTridiag(n int, z []float64) {
	inv, b, c, d2 := w.lu[4][:n], w.lu[1][:n], w.lu[3][:n], w.lu[2][:n]
	for k := 0; k < n-1; k++ {
		if w.piv[k] {
			z[k], z[k+1] = z[k+1], z[k]-c[k]*z[k+1]
		} else {
			z[k+1] -= c[k] * z[k]
		}
	}
	for k := n - 1; k >= 0; k-- {
		t := z[k]
		if k < n-1 {
			t -= b[k] * z[k+1]
		}
		if k < n-2 {
			t -= d2[k] * z[k+2]
		}
		z[k] = t * inv[k]
		if math.Abs(z[k]) > 1e200 { // rescale the whole system
			asm.Dscal(1e-200, z)
		}
	}
}

// backTransform sets row i of vecs (k×n) to Q·z_i with Q = H_0 H_1 ⋯ H_{n−3}
// the reflectors stored in a by tridiagonalize.
func (w *symEigWork) backTransform(n, k int, a, vecs []float64) {
	copy(vecs[:k*n], w.z[:k*n])
	for j := n - 3; j >= 0; j-- {
		tau := w.tau[j]
		if tau == 0 {
			continue
		}
		v := a[j*n+j+1 : j*n+n]
		for i := 0; i < k; i++ {
			x := vecs[i*n+j+1 : (i+1)*n]
			axpySmall(-tau*dotSmall(v, x), v, x)
		}
	}
}

// dotSmall and axpySmall are Ddot and Daxpy for the short vectors of the
// eigensolver, plain loops below 64 elements: at n ≈ 32 a kernel call costs
// more than its arithmetic (the tridiagonalization makes ~3n of them per
// column).
func dotSmall(x, y []float64) float64 {
	if len(x) >= 64 {
		return asm.Ddot(x, y)
	}
	y = y[:len(x)]
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
	}
	if i < len(x) {
		s0 += x[i] * y[i]
	}
	return s0 + s1
}

func axpySmall(alpha float64, x, y []float64) {
	if len(x) >= 64 {
		asm.Daxpy(alpha, x, y)
		return
	}
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}
