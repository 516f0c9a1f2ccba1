package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/parallel"
)

// ActKind names an element-wise activation.
type ActKind uint8

// The activations. Each provides σ, σ' and σ″ (reverse mode through a
// tangent pass needs σ″; it is zero for the piecewise-linear ones, taken as
// zero at their kink).
const (
	Identity  ActKind = iota // σ(h) = h
	ReLU                     // max(h, 0)
	LeakyReLU                // h > 0 ? h : slope·h, fixed slope (torch default 0.01)
	PReLU                    // as LeakyReLU with one learnable slope (torch nn.PReLU(), init 0.25)
	SiLU                     // h·sigmoid(h)
	Softplus                 // log(1 + eᴴ) (torch beta = 1, without its linear threshold)
	Tanh                     // tanh(h)
	Sigmoid                  // 1/(1 + e⁻ʰ)
	ELU                      // h > 0 ? h : α(eʰ − 1), α = 1
)

var actNames = [...]string{"identity", "relu", "leakyrelu", "prelu", "silu", "softplus", "tanh", "sigmoid", "elu"}

func (a ActKind) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return fmt.Sprintf("ActKind(%d)", a)
}

// ParseActivation returns the activation called name (case-insensitive;
// "swish" is SiLU, "linear" and "none" are Identity).
func ParseActivation(name string) (ActKind, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "swish":
		return SiLU, nil
	case "linear", "none":
		return Identity, nil
	}
	for i, s := range actNames {
		if s == n {
			return ActKind(i), nil
		}
	}
	return 0, fmt.Errorf("nn: unknown activation %q (want one of %s)", name, strings.Join(actNames[:], ", "))
}

// smooth reports whether σ″ can be nonzero.
func (a ActKind) smooth() bool {
	switch a {
	case SiLU, Softplus, Tanh, Sigmoid, ELU:
		return true
	}
	return false
}

// Activation is an element-wise activation layer of a fixed width.
type Activation[T asm.Float] struct {
	Act ActKind
	// Slope is LeakyReLU's fixed negative slope (ReLU: 0). For PReLU the
	// slope is the learnable Param SlopeParam instead.
	Slope      T
	SlopeParam *Param[T] // PReLU only: one shared slope, shape [1]
	// Alpha is ELU's α.
	Alpha T
	width int
}

// NewActivation returns an activation layer of the given kind and width with
// torch's defaults: LeakyReLU slope 0.01, PReLU slope 0.25, ELU α = 1.
func NewActivation[T asm.Float](kind ActKind, width int) *Activation[T] {
	if width <= 0 {
		panic("nn: NewActivation: width must be positive")
	}
	a := &Activation[T]{Act: kind, width: width, Alpha: 1}
	switch kind {
	case LeakyReLU:
		a.Slope = 0.01
	case PReLU:
		a.SlopeParam = newParam[T]("weight", 1)
		a.SlopeParam.Value[0] = 0.25
	}
	return a
}

// Kind returns the activation's name.
func (a *Activation[T]) Kind() string { return a.Act.String() }

// In returns the width.
func (a *Activation[T]) In() int { return a.width }

// Out returns the width.
func (a *Activation[T]) Out() int { return a.width }

// Params returns PReLU's slope, or nothing.
func (a *Activation[T]) Params() []*Param[T] {
	if a.SlopeParam == nil {
		return nil
	}
	return []*Param[T]{a.SlopeParam}
}

// Buffers returns nothing.
func (a *Activation[T]) Buffers() []*Buffer[T] { return nil }

func (a *Activation[T]) slope() T {
	if a.SlopeParam != nil {
		return a.SlopeParam.Value[0]
	}
	return a.Slope
}

func (a *Activation[T]) piecewiseLinear() bool {
	switch a.Act {
	case ReLU, LeakyReLU, PReLU:
		return true
	}
	return false
}

// actRun caches what the backward pass of an activation needs beyond its
// input and output. Piecewise-linear activations (and Identity) need
// nothing: their derivatives are masked scalings done by the leaky-ReLU
// kernels, with σ″ = 0.
//
// The smooth activations are element-wise without reductions, so their
// passes run in parts over the primal elements (each part with the same
// elements of every tangent block) on linalg.Workers() cores, with the same
// results for any part count. The piecewise-linear ones stay on one core:
// PReLU's slope gradient is a sum.
type actRun[T asm.Float] struct {
	a      *Activation[T]
	s      []T // sigmoid(h) for SiLU and Softplus, B×width
	d1, d2 []T // σ'(h), σ″(h), B×width (smooth and ELU)
	tmp    []T // B×width (smooth: the second-order terms)

	// The pass being run in parts, and the part functions (made once).
	p                     *pass
	x, y, g, gx           []T
	grp                   parallel.Group
	forwardPart, backPart func(part, parts int)
}

func (a *Activation[T]) bind(maxB, maxK int) runner[T] {
	n := maxB * a.width
	r := &actRun[T]{a: a}
	if a.Act == SiLU || a.Act == Softplus {
		r.s = make([]T, n)
	}
	if a.Act.smooth() {
		r.d1, r.d2, r.tmp = make([]T, n), make([]T, n), make([]T, n)
		r.forwardPart, r.backPart = r.forwardInPart, r.backwardInPart
	}
	return r
}

func (r *actRun[T]) forward(p *pass, x, y []T) {
	n := p.B * r.a.width
	if r.forwardPart == nil {
		r.forwardRange(p, x, y, 0, n)
		return
	}
	r.p, r.x, r.y = p, x, y
	runParts(r.forwardPart, (1+p.k)*n, &r.grp)
	r.p, r.x, r.y = nil, nil, nil
}

func (r *actRun[T]) forwardInPart(part, parts int) {
	lo, hi := partRange(part, parts, r.p.B*r.a.width)
	r.forwardRange(r.p, r.x, r.y, lo, hi)
}

// forwardRange runs the forward pass on the primal elements [lo, hi) and
// the same elements of every tangent block.
func (r *actRun[T]) forwardRange(p *pass, x, y []T, lo, hi int) {
	a := r.a
	n := p.B * a.width
	h, yp := x[lo:hi], y[lo:hi]
	if p.t0 > 0 {
		goto tangents // the primal rows and r.s are the previous pass's
	}
	switch a.Act {
	case Identity:
		copy(yp, h)
	case ReLU, LeakyReLU, PReLU:
		vleaky(yp, h, a.slope())
	case SiLU:
		vsigmoid(r.s[lo:hi], h)
		asm.Mul(yp, h, r.s[lo:hi])
	case Softplus:
		vsoftplus(yp, h)
		vsigmoid(r.s[lo:hi], h)
	case Tanh:
		vtanh(yp, h)
	case Sigmoid:
		vsigmoid(yp, h)
	case ELU:
		if asm.Is32[T]() {
			asm.Selu(asm.As32(yp), asm.As32(h), float32(a.Alpha))
			break
		}
		al := a.Alpha
		for i, v := range h {
			if v > 0 {
				yp[i] = v
			} else {
				yp[i] = T(float64(al) * math.Expm1(float64(v)))
			}
		}
	}
tangents:
	if p.k == 0 {
		return
	}
	// ẏ_t = σ'(h)∘ḣ_t for every tangent block.
	var d1 []T
	if !a.piecewiseLinear() && a.Act != Identity {
		d1 = r.deriv(lo, hi, h, yp, nil, r.d1[lo:hi], false)
	}
	for t := 1; t <= p.k; t++ {
		xt, yt := x[t*n+lo:t*n+hi], y[t*n+lo:t*n+hi]
		switch {
		case a.Act == Identity:
			copy(yt, xt)
		case a.piecewiseLinear():
			vleakyBackward(yt, h, xt, a.slope())
		default:
			asm.Mul(yt, xt, d1)
		}
	}
}

// deriv returns σ'(h)∘dy (σ'(h) itself when dy is nil) for the primal
// elements [lo, hi) of a smooth activation (or ELU), computed from h, the
// output y and the sigmoid cache into dst (all four already cut to the
// range; Softplus without dy returns its sigmoid cache instead), and fills
// r.d2 = σ″(h) there if second.
func (r *actRun[T]) deriv(lo, hi int, h, y, dy, dst []T, second bool) []T {
	a := r.a
	var d2, sc []T
	if second {
		d2 = r.d2[lo:hi]
	}
	if r.s != nil {
		sc = r.s[lo:hi]
	}
	if asm.Is32[T]() {
		// float32: one fused kernel pass for σ' (times dy) and σ″.
		d, d2f, dyf := asm.As32(dst), asm.As32(d2), asm.As32(dy)
		switch a.Act {
		case SiLU:
			asm.SsiluDerivs(d, d2f, asm.As32(h), asm.As32(sc), dyf)
			return dst
		case Softplus:
			s := asm.As32(sc)
			if second {
				asm.SsigmoidDerivs(d2f, nil, s, nil)
			}
			if dy == nil {
				return sc
			}
			asm.Smul(d, s, dyf)
			return dst
		case Tanh:
			asm.StanhDerivs(d, d2f, asm.As32(y), dyf)
			return dst
		case Sigmoid:
			asm.SsigmoidDerivs(d, d2f, asm.As32(y), dyf)
			return dst
		}
	}
	d1 := dst
	switch a.Act {
	case SiLU:
		// σ' = s(1 + h(1−s)), σ″ = s(1−s)(2 + h(1−2s)).
		for i, v := range h {
			s := sc[i]
			d1[i] = s * (1 + v*(1-s))
			if second {
				d2[i] = s * (1 - s) * (2 + v*(1-2*s))
			}
		}
	case Softplus:
		// σ' = s, σ″ = s(1−s).
		copy(d1, sc)
		if second {
			for i, s := range sc {
				d2[i] = s * (1 - s)
			}
		}
	case Tanh:
		// σ' = 1−y², σ″ = −2y(1−y²).
		for i, v := range y {
			d1[i] = 1 - v*v
			if second {
				d2[i] = -2 * v * (1 - v*v)
			}
		}
	case Sigmoid:
		// σ' = y(1−y), σ″ = y(1−y)(1−2y).
		for i, v := range y {
			d1[i] = v * (1 - v)
			if second {
				d2[i] = v * (1 - v) * (1 - 2*v)
			}
		}
	case ELU:
		// For h ≤ 0, σ' = σ″ = αeʰ = y + α.
		al := a.Alpha
		if asm.Is32[T]() {
			eluDerivs32(asm.As32(d1), asm.As32(d2), asm.As32(h), asm.As32(y), float32(al))
			break
		}
		for i, v := range h {
			e := y[i] + al
			if v > 0 {
				e = 1
			}
			d1[i] = e
			if second {
				d2[i] = e
				if v > 0 {
					d2[i] = 0
				}
			}
		}
	}
	if dy != nil {
		asm.Mul(d1, d1, dy)
	}
	return d1
}

// backward: gh = gy∘σ'(h) + Σ_t gẏ_t∘σ″(h)∘ḣ_t and gḣ_t = gẏ_t∘σ'(h).
func (r *actRun[T]) backward(p *pass, x, y, g, gx []T) {
	a := r.a
	n := p.B * a.width
	if a.piecewiseLinear() {
		r.backwardPL(p, x, g, gx)
		return
	}
	if gx == nil {
		return // no parameters, and nobody needs the input gradient
	}
	if a.Act == Identity {
		copy(gx[p.g0()*a.width:(1+p.kg)*n], g[p.g0()*a.width:(1+p.kg)*n])
		return
	}
	r.p, r.x, r.y, r.g, r.gx = p, x, y, g, gx
	runParts(r.backPart, (1+p.kg)*n, &r.grp)
	if p.kt() > 0 {
		p.gZero = false // the second-order terms wrote gh
	}
	r.p, r.x, r.y, r.g, r.gx = nil, nil, nil, nil, nil
}

func (r *actRun[T]) backwardInPart(part, parts int) {
	lo, hi := partRange(part, parts, r.p.B*r.a.width)
	r.backwardRange(r.p, r.x, r.y, r.g, r.gx, lo, hi)
}

// backwardRange runs the backward pass of a smooth activation on the
// primal elements [lo, hi) and the same elements of every block; it
// leaves p as it is (backward clears p.gZero).
func (r *actRun[T]) backwardRange(p *pass, x, y, g, gx []T, lo, hi int) {
	n := p.B * r.a.width
	gZero := p.gZero
	h := x[lo:hi]
	kt := p.kt()
	second := kt > 0
	if p.kg == 0 {
		// Plain reverse mode: gx = gy∘σ'(h) in one fused pass.
		if !gZero {
			r.deriv(lo, hi, h, y[lo:hi], g[lo:hi], gx[lo:hi], false)
		}
		return
	}
	d1 := r.deriv(lo, hi, h, y[lo:hi], nil, r.d1[lo:hi], second)
	for t := p.g0() / p.B; t <= p.kg; t++ {
		asm.Mul(gx[t*n+lo:t*n+hi], g[t*n+lo:t*n+hi], d1)
	}
	if second {
		gp := gx[lo:hi]
		d2 := r.d2[lo:hi]
		tmp := r.tmp[lo:hi]
		for t := 1; t <= kt; t++ {
			asm.Mul(tmp, g[t*n+lo:t*n+hi], x[t*n+lo:t*n+hi])
			if gZero {
				asm.Mul(gp, tmp, d2)
				gZero = false
			} else {
				vmuladd(gp, tmp, d2)
			}
		}
	}
}

// backwardPL is the backward pass of the piecewise-linear activations: the
// cotangents are masked scalings (σ″ = 0), and a PReLU slope a collects
// Σ gy·h + Σ_t gẏ_t·ḣ_t over h ≤ 0, since both y and ẏ depend on it.
func (r *actRun[T]) backwardPL(p *pass, x, g, gx []T) {
	a := r.a
	n := p.B * a.width
	h := x[:n]
	kt := p.kt()
	sl := a.slope()
	learn := a.SlopeParam != nil && p.param
	var ds T
	if gx == nil {
		// First layer without an input gradient: only the slope gradient.
		if !learn {
			return
		}
		if !p.gZero {
			ds = maskedDot(h, g[:n], h)
		}
		for t := 1; t <= kt; t++ {
			ds += maskedDot(h, g[t*n:(t+1)*n], x[t*n:(t+1)*n])
		}
		a.SlopeParam.Grad[0] += ds
		return
	}
	if !p.gZero {
		ds = vleakyBackward(gx[:n], h, g[:n], sl)
	}
	for t := 1; t <= p.kg; t++ {
		gt, gxt := g[t*n:(t+1)*n], gx[t*n:(t+1)*n]
		if learn && t <= kt {
			ds += vleakyBackwardDot(gxt, h, gt, x[t*n:(t+1)*n], sl)
		} else {
			vleakyBackward(gxt, h, gt, sl)
		}
	}
	if learn {
		a.SlopeParam.Grad[0] += ds
	}
}
