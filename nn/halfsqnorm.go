package nn

import "github.com/ebmcpu/ebmcpu/asm"

// HalfSquaredNorm is the scalar head y = ½‖h‖² + c: it maps a width-n input
// to one output, with one learnable offset c. Behind a Linear layer
// (W = L, b = −Lμ) it makes the quadratic energy
// E(x) = ½(x − μ)ᵀP(x − μ) + c with P = LᵀL, the closed-form case of the
// bounds' tests (SPEC §8), and a confining term for any energy.
//
// Its tangent rules mirror an activation's σ, σ' and σ″: ẏ_t = h·ḣ_t, and
// reverse mode through a tangent pass gives gh = gy·h + Σ_t gẏ_t·ḣ_t and
// gḣ_t = gẏ_t·h (the Hessian of ½‖h‖² is the identity).
type HalfSquaredNorm[T asm.Float] struct {
	C     *Param[T] // the offset c, shape [1] ("bias")
	width int
}

// NewHalfSquaredNorm returns a width→1 HalfSquaredNorm layer with c = 0.
func NewHalfSquaredNorm[T asm.Float](width int) *HalfSquaredNorm[T] {
	if width <= 0 {
		panic("nn: NewHalfSquaredNorm: width must be positive")
	}
	return &HalfSquaredNorm[T]{C: newParam[T]("bias", 1), width: width}
}

// Kind returns "halfsqnorm".
func (l *HalfSquaredNorm[T]) Kind() string { return "halfsqnorm" }

// In returns the input width.
func (l *HalfSquaredNorm[T]) In() int { return l.width }

// Out returns 1.
func (l *HalfSquaredNorm[T]) Out() int { return 1 }

// Params returns c.
func (l *HalfSquaredNorm[T]) Params() []*Param[T] { return []*Param[T]{l.C} }

// Buffers returns nothing.
func (l *HalfSquaredNorm[T]) Buffers() []*Buffer[T] { return nil }

type hsnRun[T asm.Float] struct{ l *HalfSquaredNorm[T] }

func (l *HalfSquaredNorm[T]) bind(maxB, maxK int) runner[T] { return hsnRun[T]{l} }

func (r hsnRun[T]) forward(p *pass, x, y []T) {
	n, B := r.l.width, p.B
	c := r.l.C.Value[0]
	for b := 0; b < B && p.t0 == 0; b++ {
		h := x[b*n : (b+1)*n]
		y[b] = asm.Dot(h, h)/2 + c
	}
	// ẏ_t = h·ḣ_t.
	for t := 1; t <= p.k; t++ {
		for b := 0; b < B; b++ {
			y[t*B+b] = asm.Dot(x[b*n:(b+1)*n], x[(t*B+b)*n:(t*B+b+1)*n])
		}
	}
}

func (r hsnRun[T]) backward(p *pass, x, y, g, gx []T) {
	n, B := r.l.width, p.B
	kt := p.kt()
	primal := !p.gZero
	if p.param && primal {
		var s T
		for _, v := range g[:B] {
			s += v
		}
		r.l.C.Grad[0] += s
	}
	if gx == nil {
		return
	}
	// Tangent rows: gḣ_t = gẏ_t·h.
	for t := 1; t <= p.kg; t++ {
		for b := 0; b < B; b++ {
			row := gx[(t*B+b)*n : (t*B+b+1)*n]
			copy(row, x[b*n:(b+1)*n])
			asm.Scal(g[t*B+b], row)
		}
	}
	// Primal rows: gh = gy·h + Σ_t gẏ_t·ḣ_t.
	if !primal && kt == 0 {
		return // the primal block stays zero (undefined, flagged by gZero)
	}
	for b := 0; b < B; b++ {
		row := gx[b*n : (b+1)*n]
		if primal {
			copy(row, x[b*n:(b+1)*n])
			asm.Scal(g[b], row)
		} else {
			clear(row)
		}
		for t := 1; t <= kt; t++ {
			asm.Axpy(g[t*B+b], x[(t*B+b)*n:(t*B+b+1)*n], row)
		}
	}
	p.gZero = false
}
