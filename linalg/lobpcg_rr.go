package linalg

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// The Rayleigh–Ritz step of LOBPCG and the bookkeeping that keeps the
// implicitly updated images JX, JP consistent with J·X, J·P.

// Error bookkeeping. JX and JP are updated implicitly, as combinations of
// earlier images, and the error of a combination relative to its own size
// grows with the cancellation in it: after convergence P is a tiny
// difference of near-parallel vectors, and unchecked its image error would
// grow geometrically and corrupt JX (Ritz values below s_min). Each row of
// JS carries an estimate of ‖δ(Js)‖/‖s‖ in units of ‖J‖ (a fresh Apply
// counts as ε of T); P is dropped when its estimate passes pDropErr, and
// JX recomputed by an Apply when its estimate passes xRefreshErr.
func xRefreshErr[T asm.Float]() float64 { return 64 * spEpsOf[T]() }
func pDropErr[T asm.Float]() float64    { return 1024 * spEpsOf[T]() }

// setFresh marks block blk (0 = X, 1 = R, 2 = P) of operator b as just
// computed by the operator.
func (l *LOBPCG[T]) setFresh(b, m, blk int) {
	es := l.errS[b*3*m+blk*m : b*3*m+(blk+1)*m]
	for i := range es {
		es[i] = spEpsOf[T]()
	}
}

// refreshJX recomputes JX with one Apply for the operators whose estimate
// asked for it (the others ignore the call, so their results do not depend
// on their neighbours), and resets their Ritz values to ‖Jx‖².
func (l *LOBPCG[T]) refreshJX(op BatchOperator[T], B, D, d, m int, res *SMinResult[T]) {
	need := false
	for b := 0; b < B; b++ {
		l.refresh[b] = l.refresh[b] && l.active[b]
		need = need || l.refresh[b]
	}
	if !need {
		return
	}
	for b := 0; b < B; b++ {
		x := l.xs[:m*d]
		if l.refresh[b] {
			x = l.s[b*3*m*d : b*3*m*d+m*d]
		} else {
			clear(x)
		}
		scatterRows(l.tin, x, m, d, B, b)
	}
	op.Apply(l.tin, m, l.tout)
	for b := 0; b < B; b++ {
		if !l.refresh[b] {
			continue
		}
		l.refresh[b] = false
		l.refreshes++
		jx := l.js[b*3*m*D : b*3*m*D+m*D]
		gatherRows(jx, l.tout, m, D, B, b)
		if !spAllFinite(jx) {
			l.fail(b, res)
			continue
		}
		l.setFresh(b, m, 0)
		for i := 0; i < m; i++ {
			n := normT(jx[i*D : (i+1)*D])
			l.mu[b*m+i] = n * n // x_i is a unit vector
		}
	}
}

// projectOut removes from the vector v its components along the m rows of
// x (length d, unit norm); when jv is given it applies the same combination
// of the rows of jx (length D) to jv, keeping jv = J v. It returns
// Σ_i |c_i|·w_i over the coefficients c_i removed (0 when w is nil), the
// error that the combination brings into jv.
func projectOut(v, x []float64, m, d int, jv, jx []float64, D int, w []float64) float64 {
	var amp float64
	for i := 0; i < m; i++ {
		xi := x[i*d : (i+1)*d]
		c := asm.Dot(v, xi)
		if c == 0 {
			continue
		}
		asm.Daxpy(-c, xi, v)
		if jv != nil {
			asm.Daxpy(-c, jx[i*D:(i+1)*D], jv)
		}
		if w != nil {
			amp += math.Abs(c) * w[i]
		}
	}
	return amp
}

// rrKeep is the fraction of a direction's norm that must survive its
// projection against X for the direction to be kept; rrKeep² = rrDrop.
func rrKeep[T asm.Float]() float64 { return math.Sqrt(rrDrop[T]()) }

// rrDrop is the relative eigenvalue of the scaled Gram matrix SᵀS below
// which a direction counts as dependent and is dropped.
func rrDrop[T asm.Float]() float64 { return math.Max(1e-10, 16*spEpsOf[T]()) }

// rayleighRitz replaces X (and JX, P, JP) of operator b by the m lowest
// Ritz vectors of JᵀJ in the span of the first ns rows of [X; R; P].
func (l *LOBPCG[T]) rayleighRitz(b, m, d, D, ns int) {
	s := l.s[b*3*m*d : b*3*m*d+ns*d]
	js := l.js[b*3*m*D : b*3*m*D+ns*D]
	// Directions beyond X are made orthogonal to X (with J applied alike)
	// so that only R and P can be nearly dependent.
	// A direction that (numerically) lies in span X is dropped: what is
	// left after the projection is round-off, and so is its J-image.
	es := l.errS[b*3*m : b*3*m+ns]
	for j := m; j < ns; j++ {
		sj, jsj := s[j*d:(j+1)*d], js[j*D:(j+1)*D]
		before := normT(sj)
		amp := es[j] * before
		for pass := 0; pass < 2; pass++ {
			amp += projectOut(sj, s[:m*d], m, d, jsj, js[:m*D], D, es[:m])
		}
		after := normT(sj)
		if !(after > rrKeep[T]()*before) {
			clear(sj)
			clear(jsj)
			es[j] = 0
			continue
		}
		es[j] = amp / after
	}
	gb, ga := l.gb[:ns*ns], l.ga[:ns*ns]
	symGram(gb, s, ns, d)
	symGram(ga, js, ns, D)
	if !spAllFinite(ga) {
		return // keep X; the next residual check flags the operator
	}
	// Unit diagonal, then the eigenbasis of the scaled SᵀS without its
	// (numerically) null directions: T = diag(1/‖s_i‖)·W·Λ^{-1/2}.
	sc := l.scale[:ns]
	for i := 0; i < ns; i++ {
		if g := gb[i*ns+i]; g > 0 {
			sc[i] = 1 / math.Sqrt(g)
		} else {
			sc[i] = 0
		}
	}
	for i := 0; i < ns; i++ {
		for j := 0; j < ns; j++ {
			gb[i*ns+j] *= sc[i] * sc[j]
		}
	}
	lam := l.lam[:ns]
	if !l.orth.symEig(ns, gb, lam, true) {
		return
	}
	tau := rrDrop[T]() * lam[ns-1]
	nk := 0
	tm := l.tm[:ns*ns]
	for j := ns - 1; j >= 0 && lam[j] > tau; j-- {
		f := 1 / math.Sqrt(lam[j])
		for i := 0; i < ns; i++ {
			tm[i*ns+nk] = sc[i] * gb[i*ns+j] * f
		}
		nk++
	}
	if nk < m {
		return
	}
	// Reduced problem Tᵀ·GA·T (nk×nk), its lowest m eigenpairs, and the
	// coefficients C = T·Z of the Ritz vectors in the rows of S.
	// These matrices are at most 3m×3m: plain loops.
	tmp, red := l.tmp[:ns*nk], l.red[:nk*nk]
	smallMul(false, ns, nk, ns, ga, ns, tm, ns, tmp, nk)
	smallMul(true, nk, nk, ns, tm, ns, tmp, nk, red, nk)
	mu := l.lam[:nk]
	if !l.orth.symEig(nk, red, mu, true) {
		return
	}
	c := l.coef[:ns*m]
	smallMul(false, ns, m, nk, tm, ns, red, nk, c, m)
	xs, xjs := l.xs[:m*d], l.xjs[:m*D]
	combineRows(xs, m, d, c, m, s, ns)
	combineRows(xjs, m, D, c, m, js, ns)
	// Error estimates of the new rows: Σ_j |c_ji|·err_j·‖s_j‖ / ‖new row‖
	// (‖s_j‖ = 1/sc_j; dropped rows have sc_j = 0 and no weight).
	amp := func(i, from int) float64 {
		var a float64
		for j := from; j < ns; j++ {
			if sc[j] > 0 {
				a += math.Abs(c[j*m+i]) * es[j] / sc[j]
			}
		}
		return a
	}
	errP := l.errP[:m]
	if ns > m {
		// P = the R and P parts of the update (Hetmaniuk & Lehoucq 2006),
		// dropped where its image is no longer trustworthy.
		ps, pjs := l.ps[:m*d], l.pjs[:m*D]
		combineRows(ps, m, d, c[m*m:], m, s[m*d:], ns-m)
		combineRows(pjs, m, D, c[m*m:], m, js[m*D:], ns-m)
		for i := 0; i < m; i++ {
			errP[i] = 0
			if n := normT(ps[i*d : (i+1)*d]); n > 0 {
				errP[i] = amp(i, m) / n
			}
			if !(errP[i] <= pDropErr[T]()) {
				clear(ps[i*d : (i+1)*d])
				clear(pjs[i*D : (i+1)*D])
				errP[i] = 0
			}
		}
	}
	for i := 0; i < m; i++ {
		xi, jxi := xs[i*d:(i+1)*d], xjs[i*D:(i+1)*D]
		e := amp(i, 0)
		if n := normT(xi); n > 0 {
			asm.Dscal(1/n, xi)
			asm.Dscal(1/n, jxi)
			e /= n
		}
		es[i] = e
		if !(e <= xRefreshErr[T]()) {
			l.refresh[b] = true
		}
	}
	if ns > m {
		copy(l.s[b*3*m*d+2*m*d:], l.ps[:m*d])
		copy(l.js[b*3*m*D+2*m*D:], l.pjs[:m*D])
		copy(l.errS[b*3*m+2*m:b*3*m+3*m], errP)
	}
	copy(s[:m*d], xs)
	copy(js[:m*D], xjs)
	copy(l.mu[b*m:(b+1)*m], mu[:m])
}

// smallMul sets the m×n c = op(a)·b for tiny matrices, op(a) = aᵀ if
// transA (a is then k×m), with row strides lda, ldb, ldc.
func smallMul(transA bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var sum float64
			for p := 0; p < k; p++ {
				if transA {
					sum += a[p*lda+i] * b[p*ldb+j]
				} else {
					sum += a[i*lda+p] * b[p*ldb+j]
				}
			}
			c[i*ldc+j] = sum
		}
	}
}
