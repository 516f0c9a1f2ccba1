package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// logdetScratch holds the d×d float64 matrices of halfLogDetJTJ.
type logdetScratch struct {
	d          int
	a, l, linv []float64
}

func newLogdetScratch(d int) *logdetScratch {
	return &logdetScratch{d: d, a: make([]float64, d*d), l: make([]float64, d*d), linv: make([]float64, d*d)}
}

// HalfLogDetJTJ computes, for B Jacobians given as the outputs of d unit
// tangents (ydot, (d·B)×D in the tangent layout, e.g. from ForwardTangent
// with IdentityTangents), val_b = ½ log det(J_bᵀJ_b) and the cotangent
// gydot = ∂(Σ_b wt_b·val_b)/∂ydot, i.e. wt_b·J_b(J_bᵀJ_b)⁻¹ in the same layout,
// ready for BackwardTangent (wt nil means all ones). The d×d algebra runs in
// float64 (Cholesky), so it is meant for small d. Samples whose JᵀJ is not
// positive definite get val = −Inf and a zero cotangent; the count of such
// samples is returned.
func HalfLogDetJTJ[T asm.Float](ydot []T, B, D, d int, wt, val, gydot []T) int {
	checkLen("HalfLogDetJTJ", "ydot", len(ydot), d*B*D)
	checkLen("HalfLogDetJTJ", "gydot", len(gydot), d*B*D)
	checkLen("HalfLogDetJTJ", "val", len(val), B)
	if wt != nil {
		checkLen("HalfLogDetJTJ", "wt", len(wt), B)
	}
	return halfLogDetJTJ(newLogdetScratch(d), ydot, B, D, d, wt, val, gydot)
}

func halfLogDetJTJ[T asm.Float](s *logdetScratch, ydot []T, B, D, d int, wt, val, gydot []T) int {
	singular := 0
	row := func(t, b int) []T { return ydot[(t*B+b)*D : (t*B+b+1)*D] }
	for b := 0; b < B; b++ {
		// A = JᵀJ: A[s,t] is the dot product of the tangent rows s and t.
		for i := 0; i < d; i++ {
			ri := row(i, b)
			for j := 0; j <= i; j++ {
				rj := row(j, b)
				var sum float64
				for c, v := range ri {
					sum += float64(v) * float64(rj[c])
				}
				s.a[i*d+j] = sum
				s.a[j*d+i] = sum
			}
		}
		half, ok := cholInverse(s)
		for t := 0; t < d; t++ {
			clear(gydot[(t*B+b)*D : (t*B+b+1)*D])
		}
		if !ok {
			val[b] = T(math.Inf(-1))
			singular++
			continue
		}
		val[b] = T(half)
		w := 1.0
		if wt != nil {
			w = float64(wt[b])
		}
		// G = J·A⁻¹: row t of the cotangent is Σ_s A⁻¹[s,t]·row(s). Short
		// rows (the 2-D toy problems) stay in Go: a kernel call per row of
		// two elements costs more than the arithmetic.
		for t := 0; t < d; t++ {
			g := gydot[(t*B+b)*D : (t*B+b+1)*D]
			for sIdx := 0; sIdx < d; sIdx++ {
				c := T(w * s.a[sIdx*d+t])
				if r := row(sIdx, b); D < 16 {
					for i, v := range r {
						g[i] += c * v
					}
				} else {
					asm.Axpy(c, r, g)
				}
			}
		}
	}
	return singular
}

// cholInverse factors the SPD matrix s.a = LLᵀ, overwrites s.a with A⁻¹ and
// returns ½ log det A = Σ log L_ii. ok is false if A is not positive definite.
func cholInverse(s *logdetScratch) (half float64, ok bool) {
	d := s.d
	if d == 2 {
		return inverse2(s.a)
	}
	a, l, li := s.a, s.l, s.linv
	clear(l)
	// Σ log L_jj as the log of the product, kept in range by Frexp: one
	// logarithm per matrix instead of d.
	prod, exp := 1.0, 0
	for j := 0; j < d; j++ {
		sum := a[j*d+j]
		for k := 0; k < j; k++ {
			sum -= l[j*d+k] * l[j*d+k]
		}
		if !(sum > 0) || math.IsInf(sum, 0) {
			return 0, false
		}
		ljj := math.Sqrt(sum)
		l[j*d+j] = ljj
		fr, e := math.Frexp(prod * ljj)
		prod, exp = fr, exp+e
		for i := j + 1; i < d; i++ {
			v := a[i*d+j]
			for k := 0; k < j; k++ {
				v -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = v / ljj
		}
	}
	half = math.Log(prod) + float64(exp)*math.Ln2
	// L⁻¹ by forward substitution, then A⁻¹ = L⁻ᵀL⁻¹.
	clear(li)
	for j := 0; j < d; j++ {
		li[j*d+j] = 1 / l[j*d+j]
		for i := j + 1; i < d; i++ {
			var v float64
			for k := j; k < i; k++ {
				v -= l[i*d+k] * li[k*d+j]
			}
			li[i*d+j] = v / l[i*d+i]
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			var v float64
			for k := i; k < d; k++ {
				v += li[k*d+i] * li[k*d+j]
			}
			a[i*d+j] = v
			a[j*d+i] = v
		}
	}
	return half, true
}

// inverse2 is cholInverse for d = 2 in closed form (the 2-D toy problems):
// the Cholesky pivots are a₀₀ and det/a₀₀, so A is positive definite iff
// both are positive, ½ log det A = ½ log det and A⁻¹ = adj(A)/det.
func inverse2(a []float64) (half float64, ok bool) {
	p, q, r := a[0], a[1], a[3]
	det := p*r - q*q
	if !(p > 0) || !(det > 0) || math.IsInf(p, 0) || math.IsInf(det, 0) {
		return 0, false
	}
	a[0], a[1], a[2], a[3] = r/det, -q/det, -q/det, p/det
	return 0.5 * math.Log(det), true
}
