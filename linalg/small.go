package linalg

import (
	"fmt"
	"math"
)

// Closed forms for 2×2 matrices, the Jacobians of the d = D = 2 toy
// problems, where the exact entropy term is cheap enough for every sample
// and step. Matrices are row-major [a, b, c, d] = [[a, b], [c, d]].

// Det2 returns ad − bc, accurate to a few ulps even under cancellation
// (Kahan's algorithm: the rounding error of bc is recovered with an FMA).
func Det2(a, b, c, d float64) float64 {
	w := b * c
	e := math.FMA(-b, c, w) // w − bc, exactly
	f := math.FMA(a, d, -w)
	return f + e
}

// LogAbsDet2 returns log|ad − bc| (−Inf for a singular matrix).
func LogAbsDet2(a, b, c, d float64) float64 {
	return math.Log(math.Abs(Det2(a, b, c, d)))
}

// SVD2 returns the singular value decomposition
// [[a, b], [c, d]] = U·diag(s1, s2)·Vᵀ with s1 ≥ s2 ≥ 0 and orthogonal U, V
// (row-major). It writes M = Rot(φ)·diag(Q+R, Q−R)·Rot(θ) with
// Q = ‖((a+d)/2, (c−b)/2)‖ and R = ‖((a−d)/2, (c+b)/2)‖ (Blinn's
// closed form); s2 is computed as |det|/s1, which keeps its relative
// accuracy when s2 ≪ s1, where Q − R would cancel.
func SVD2(a, b, c, d float64) (s1, s2 float64, u, v [4]float64) {
	e, f := (a+d)/2, (a-d)/2
	g, h := (c+b)/2, (c-b)/2
	q, r := math.Hypot(e, h), math.Hypot(f, g)
	s1 = q + r
	det := Det2(a, b, c, d)
	if s1 > 0 {
		s2 = math.Abs(det) / s1
	}
	a1, a2 := math.Atan2(g, f), math.Atan2(h, e)
	theta, phi := (a2-a1)/2, (a2+a1)/2
	sp, cp := math.Sincos(phi)
	st, ct := math.Sincos(theta)
	// U = Rot(φ); V = Rot(θ)ᵀ. A negative det makes Q − R < 0: flip the
	// second left vector so that s2 ≥ 0.
	u = [4]float64{cp, -sp, sp, cp}
	if det < 0 {
		u[1], u[3] = sp, -cp
	}
	v = [4]float64{ct, st, -st, ct}
	return s1, s2, u, v
}

// SVD2Batch applies SVD2 to the n = len(m)/4 row-major 2×2 matrices in m:
// s[2i], s[2i+1] are the singular values of matrix i, and u, v (if not
// nil) receive its U and V at [4i, 4i+4).
func SVD2Batch(m, s, u, v []float64) {
	n := len(m) / 4
	if len(m) != 4*n || len(s) < 2*n || (u != nil && len(u) < 4*n) || (v != nil && len(v) < 4*n) {
		panic(fmt.Sprintf("linalg: SVD2Batch sizes: %d matrices, s %d, u %d, v %d", len(m), len(s), len(u), len(v)))
	}
	for i := 0; i < n; i++ {
		s1, s2, ui, vi := SVD2(m[4*i], m[4*i+1], m[4*i+2], m[4*i+3])
		s[2*i], s[2*i+1] = s1, s2
		if u != nil {
			copy(u[4*i:4*i+4], ui[:])
		}
		if v != nil {
			copy(v[4*i:4*i+4], vi[:])
		}
	}
}

// LogAbsDet2Batch sets dst[i] = log|det| of the i-th row-major 2×2 matrix
// in m.
func LogAbsDet2Batch(m, dst []float64) {
	n := len(m) / 4
	if len(m) != 4*n || len(dst) < n {
		panic(fmt.Sprintf("linalg: LogAbsDet2Batch sizes: %d matrices, dst %d", len(m), len(dst)))
	}
	for i := 0; i < n; i++ {
		dst[i] = LogAbsDet2(m[4*i], m[4*i+1], m[4*i+2], m[4*i+3])
	}
}
