package linalg

import (
	"errors"
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// LOBPCG estimates the smallest singular values of every operator of a
// batch, and their singular vectors, by the locally optimal block
// preconditioned conjugate gradient method (Knyazev 2001, no
// preconditioner) on JᵀJ. Each iteration does a Rayleigh–Ritz step on the
// subspace {X, R, P} (current vectors, residuals, previous directions), then
// one Apply (for J R) and one ApplyT (for JᵀJ X, the next residual), all
// operators together.
//
// Every operator call carries the whole block of every operator: an
// iteration costs exactly one Apply (m vectors per operator) and one ApplyT
// (m), whatever the batch; J·X and J·P are never recomputed but updated as
// combinations (see below). With m = 1 these products are a pass over all
// matrices for little arithmetic: their time is memory time, so block
// guard vectors (m > 1) cost little extra per iteration and cut the
// iteration count. For a DenseOperator call KeepTranspose first (the
// single-vector Apply is then one streaming pass instead of D dot
// products): BenchmarkSpectralSMin reports the time per iteration.
//
// The Rayleigh–Ritz step works on the projected pair (Sᵀ S, (JS)ᵀ(JS)) in
// float64, with JS kept from the Apply calls: forming ‖Jx‖² directly rather
// than xᵀ(JᵀJx) keeps the relative accuracy of small singular values at
// round-off × cond(J) rather than × cond(J)². Dependent directions are
// dropped (SVQB-style, Duersch et al. 2018) before the small eigenproblem.
//
// The Ritz values never fall below the true singular values (beyond
// round-off): a truncated run overstates s_min, so the result reports the
// residual ‖JᵀJv − μ²v‖ and the iteration count.
//
// With Tol = 0 it runs exactly MaxIter iterations (the released NeurIPS code
// runs 2 from a random start); with Tol > 0 an operator stops once its
// smallest Ritz pair has ‖JᵀJv − μ²v‖ ≤ Tol·μ², and MaxIter caps the count.
// The other vectors of a block (BlockSize > 1) act as guard vectors: they
// speed up the smallest pair (its rate depends on the gap to the (m+1)-th
// value) and are reported with their own residuals, not waited for.
//
// Guards: warm-start rows that are zero or not finite are replaced by
// random vectors; a residual that vanishes is replaced by a random
// direction; an operator whose products turn non-finite keeps its previous
// vectors and stops, flagged NonFinite.
//
// An LOBPCG keeps its buffers between calls: once they have grown, Solve
// allocates nothing. It is not safe for concurrent use.
type LOBPCG[T asm.Float] struct {
	BlockSize int     // vectors per operator m, 1 ≤ m ≤ d
	MaxIter   int     // iterations (Rayleigh–Ritz steps) ≥ 0
	Tol       float64 // relative residual tolerance; 0 runs MaxIter iterations
	Seed      uint64  // seed of the random streams
	// Offset is the index of operator 0 in the random streams (see
	// RandSVD.Offset).
	Offset int
	// SkipFinalResidual leaves out, when Tol = 0, the residual after the
	// last iteration: one ApplyT of the batch whose only product is
	// Residual (NaN then). Values, vectors and iteration counts are the
	// same bits either way.
	SkipFinalResidual bool

	streams   spStreams
	tin, tout []T       // (m·B)×d and (m·B)×D tangent blocks
	s, js     []float64 // per operator [X; R; P], 3m×d, and [JX; JR; JP], 3m×D
	mu        []float64 // per operator Ritz values μ² (m)
	errS      []float64 // per operator error estimates of the rows of JS (3m)
	errP      []float64 // scratch for the new P's estimates (m)
	hasP      []bool
	active    []bool
	refresh   []bool // JX to be recomputed by an Apply
	refreshes int    // JX recomputations in the last Solve (for tests)
	orth      orthWork
	gb, ga    []float64 // Gram matrices, 3m×3m
	scale     []float64
	lam       []float64
	tm, tmp   []float64 // basis of the kept subspace and GA·tm, 3m×3m
	red       []float64 // reduced eigenproblem, 3m×3m
	coef      []float64 // Ritz coefficients, 3m×m
	xs, xjs   []float64 // new X, JX
	ps, pjs   []float64 // new P, JP
}

// NewLOBPCG returns a block-size-1 solver running the reference's 2
// iterations with no tolerance.
func NewLOBPCG[T asm.Float](seed uint64) *LOBPCG[T] {
	return &LOBPCG[T]{BlockSize: 1, MaxIter: 2, Seed: seed}
}

// SMinResult holds the smallest singular values of a batch of operators.
type SMinResult[T asm.Float] struct {
	Batch, Rows, Cols, BlockSize int
	// Values holds the m Ritz singular values of operator b, ascending, at
	// Values[b·m : (b+1)·m]; Values[b·m] is the s_min estimate. Each is ≥ the
	// true singular value of the same rank, up to round-off.
	Values []float64
	// Residual holds ‖JᵀJv − μ²v‖ for each returned vector (NaN if never
	// computed), laid out as Values.
	Residual []float64
	// V holds the right singular vectors (unit, length Cols) and U = Jv/‖Jv‖
	// (length Rows), in the tangent layout: vector i of operator b is row
	// i·Batch+b. They are the (u, v) of the gradient ∇ log s = ∇(uᵀJv)/s.
	V, U []T
	// Iters is the number of iterations each operator ran.
	Iters []int
	// Converged reports that the smallest pair met the tolerance (always
	// false for Tol 0).
	Converged []bool
	// NonFinite reports that a product turned non-finite; the operator kept
	// its last finite vectors (its values are NaN if there were none).
	NonFinite []bool
}

func (r *SMinResult[T]) reset(batch, rows, cols, m int) {
	r.Batch, r.Rows, r.Cols, r.BlockSize = batch, rows, cols, m
	r.Values = spResize(r.Values, batch*m)
	r.Residual = spResize(r.Residual, batch*m)
	r.V = spResize(r.V, m*batch*cols)
	r.U = spResize(r.U, m*batch*rows)
	r.Iters = spResize(r.Iters, batch)
	r.Converged = spResize(r.Converged, batch)
	r.NonFinite = spResize(r.NonFinite, batch)
	for i := range r.Residual {
		r.Residual[i] = math.NaN()
		r.Values[i] = math.NaN()
	}
	clear(r.Iters)
	clear(r.Converged)
	clear(r.NonFinite)
}

// Solve fills res for every operator of op. warm, if not nil, holds start
// vectors in the tangent layout ((m·B)×d, e.g. the V of a previous result);
// otherwise the start is random. It returns an error, leaving res
// unspecified, for invalid settings.
func (l *LOBPCG[T]) Solve(op BatchOperator[T], warm []T, res *SMinResult[T]) error {
	B, D, d := op.Shape()
	m := l.BlockSize
	switch {
	case m < 1 || m > d:
		return fmt.Errorf("linalg: LOBPCG block size %d outside [1, %d]", m, d)
	case l.MaxIter < 0:
		return errors.New("linalg: LOBPCG with negative MaxIter")
	case !(l.Tol >= 0) || math.IsInf(l.Tol, 1):
		return errors.New("linalg: LOBPCG tolerance must be finite and ≥ 0")
	}
	if warm != nil && len(warm) < m*B*d {
		panic(fmt.Sprintf("linalg: LOBPCG warm start has length %d, want %d", len(warm), m*B*d))
	}
	res.reset(B, D, d, m)
	if B == 0 {
		return nil
	}
	l.grow(B, D, d, m)
	l.streams.reset(l.Seed, l.Offset, B)
	sd, sD := 3*m*d, 3*m*D // per-operator strides of s and js

	// Start vectors, rounded to T so that X is exactly what J is applied to.
	for b := 0; b < B; b++ {
		x := l.s[b*sd : b*sd+m*d]
		if warm != nil {
			gatherRows(x, warm, m, d, B, b)
		}
		for i := 0; i < m; i++ {
			row := x[i*d : (i+1)*d]
			if warm == nil || !spAllFinite(row) || normT(row) == 0 {
				spNormals(l.streams.rng[b], row)
			}
		}
		l.orth.orthRows(OrthCholQR2, m, d, x, 2) // x is finite here
		roundTo[T](x)
		scatterRows(l.tin, x, m, d, B, b)
		l.hasP[b] = false
		l.active[b] = true
	}
	op.Apply(l.tin, m, l.tout)
	for b := 0; b < B; b++ {
		jx := l.js[b*sD : b*sD+m*D]
		gatherRows(jx, l.tout, m, D, B, b)
		if !spAllFinite(jx) {
			l.fail(b, res)
			continue
		}
		l.setFresh(b, m, 0)
		l.rayleighRitz(b, m, d, D, m)
	}

	for it := 0; ; it++ {
		l.refreshJX(op, B, D, d, m, res)
		if it == l.MaxIter && l.Tol == 0 && l.SkipFinalResidual {
			for i := range res.Residual {
				res.Residual[i] = math.NaN() // those of earlier iterations are stale
			}
			break
		}
		// Residuals R = JᵀJ X − X diag(μ²), from ApplyT of the kept JX.
		for b := 0; b < B; b++ {
			jx := l.js[b*sD : b*sD+m*D]
			if !l.active[b] {
				jx = l.xjs[:m*D]
				clear(jx)
			}
			scatterRows(l.tout, jx, m, D, B, b)
		}
		op.ApplyT(l.tout, m, l.tin)
		busy := false
		for b := 0; b < B; b++ {
			if l.active[b] && l.residual(b, m, d, D, res) {
				busy = true
			}
		}
		if it == l.MaxIter || !busy {
			break
		}
		for b := 0; b < B; b++ {
			r := l.s[b*sd+m*d : b*sd+2*m*d]
			if l.active[b] {
				l.prepareResidual(b, m, d)
			} else {
				r = l.xs[:m*d]
				clear(r)
			}
			scatterRows(l.tin, r, m, d, B, b)
		}
		op.Apply(l.tin, m, l.tout)
		for b := 0; b < B; b++ {
			if !l.active[b] {
				continue
			}
			jr := l.js[b*sD+m*D : b*sD+2*m*D]
			gatherRows(jr, l.tout, m, D, B, b)
			if !spAllFinite(jr) {
				l.fail(b, res)
				continue
			}
			l.setFresh(b, m, 1)
			ns := 2 * m
			if l.hasP[b] {
				ns = 3 * m
			}
			l.rayleighRitz(b, m, d, D, ns)
			l.hasP[b] = true
			res.Iters[b]++
		}
	}
	l.output(B, D, d, m, res)
	return nil
}

// grow sizes the buffers for B operators of size D×d and block size m.
func (l *LOBPCG[T]) grow(B, D, d, m int) {
	n := 3 * m
	l.tin = spResize(l.tin, m*B*d)
	l.tout = spResize(l.tout, m*B*D)
	l.s = spResize(l.s, B*n*d)
	l.js = spResize(l.js, B*n*D)
	l.mu = spResize(l.mu, B*m)
	l.errS = spResize(l.errS, B*n)
	l.errP = spResize(l.errP, m)
	l.hasP = spResize(l.hasP, B)
	l.active = spResize(l.active, B)
	l.refresh = spResize(l.refresh, B)
	clear(l.errS)
	clear(l.refresh)
	l.refreshes = 0
	l.gb = spResize(l.gb, n*n)
	l.ga = spResize(l.ga, n*n)
	l.scale = spResize(l.scale, n)
	l.lam = spResize(l.lam, n)
	l.tm = spResize(l.tm, n*n)
	l.tmp = spResize(l.tmp, n*n)
	l.red = spResize(l.red, n*n)
	l.coef = spResize(l.coef, n*m)
	l.xs = spResize(l.xs, m*max(d, D))
	l.xjs = spResize(l.xjs, m*D)
	l.ps = spResize(l.ps, m*d)
	l.pjs = spResize(l.pjs, m*D)
	for i := range l.mu {
		l.mu[i] = math.NaN()
	}
}

// fail stops operator b after a non-finite product; it keeps its vectors.
func (l *LOBPCG[T]) fail(b int, res *SMinResult[T]) {
	l.active[b] = false
	res.NonFinite[b] = true
}

// residual forms R = AX − X diag(μ²) of operator b from AX in l.tin,
// records its norms and reports whether b is still active.
func (l *LOBPCG[T]) residual(b, m, d, D int, res *SMinResult[T]) bool {
	B := res.Batch
	base := b * 3 * m * d
	x := l.s[base : base+m*d]
	r := l.s[base+m*d : base+2*m*d]
	gatherRows(r, l.tin, m, d, B, b)
	if !spAllFinite(r) {
		for i := 0; i < m; i++ {
			res.Residual[b*m+i] = math.NaN()
		}
		l.fail(b, res)
		return false
	}
	var done bool
	for i := 0; i < m; i++ {
		mu := l.mu[b*m+i]
		ri, xi := r[i*d:(i+1)*d], x[i*d:(i+1)*d]
		asm.Daxpy(-mu, xi, ri)
		rn := normT(ri)
		res.Residual[b*m+i] = rn
		if i == 0 {
			done = l.Tol > 0 && rn <= l.Tol*mu
		}
	}
	if done {
		res.Converged[b] = true
		l.active[b] = false
	}
	return !done
}

// prepareResidual makes operator b's residual block the next search
// directions: orthogonal to X, zero rows replaced by random directions,
// unit rows, rounded to T.
func (l *LOBPCG[T]) prepareResidual(b, m, d int) {
	base := b * 3 * m * d
	x := l.s[base : base+m*d]
	r := l.s[base+m*d : base+2*m*d]
	for i := 0; i < m; i++ {
		ri := r[i*d : (i+1)*d]
		for pass := 0; ; pass++ {
			before := normT(ri)
			projectOut(ri, x, m, d, nil, nil, 0, nil)
			projectOut(ri, x, m, d, nil, nil, 0, nil)
			n := normT(ri)
			if n > rrKeep[T]()*before && !math.IsInf(1/n, 0) {
				asm.Dscal(1/n, ri)
				break
			}
			if pass == 2 {
				// No direction left outside X (m = d): keep the zero row;
				// Rayleigh–Ritz drops it.
				clear(ri)
				break
			}
			spNormals(l.streams.rng[b], ri)
		}
	}
	roundTo[T](r)
}

// output writes the vectors and values of every operator into res.
func (l *LOBPCG[T]) output(B, D, d, m int, res *SMinResult[T]) {
	for b := 0; b < B; b++ {
		x := l.s[b*3*m*d : b*3*m*d+m*d]
		u := l.xjs[:m*D]
		copy(u, l.js[b*3*m*D:b*3*m*D+m*D])
		for i := 0; i < m; i++ {
			mu := l.mu[b*m+i]
			res.Values[b*m+i] = math.Sqrt(math.Max(mu, 0))
			if math.IsNaN(mu) {
				res.Values[b*m+i] = math.NaN()
			}
			ui := u[i*D : (i+1)*D]
			if n := normT(ui); n > 0 && spAllFinite(ui) {
				for j := range ui {
					ui[j] /= n
				}
			} else {
				clear(ui)
			}
		}
		scatterRows(res.V, x, m, d, B, b)
		scatterRows(res.U, u, m, D, B, b)
	}
}
