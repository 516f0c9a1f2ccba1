package nn

import (
	"fmt"
	"math"
	"strings"
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
type Activation[T Float] struct {
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
func NewActivation[T Float](kind ActKind, width int) *Activation[T] {
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

type actRun[T Float] struct {
	a      *Activation[T]
	s      []T // sigmoid(h) for SiLU and Softplus, B×width
	d1, d2 []T // σ'(h), σ″(h), B×width
	tmp    []T // B×width
}

func (a *Activation[T]) bind(maxB, maxK int) runner[T] {
	n := maxB * a.width
	r := &actRun[T]{a: a, d1: make([]T, n), tmp: make([]T, n)}
	if a.Act == SiLU || a.Act == Softplus {
		r.s = make([]T, n)
	}
	if a.Act.smooth() {
		r.d2 = make([]T, n)
	}
	return r
}

func (r *actRun[T]) forward(p *pass, x, y []T) {
	a := r.a
	n := p.B * a.width
	h, yp := x[:n], y[:n]
	switch a.Act {
	case Identity:
		copy(yp, h)
	case ReLU, LeakyReLU, PReLU:
		vleaky(yp, h, a.slope())
	case SiLU:
		vsigmoid(r.s[:n], h)
		vmul(yp, h, r.s[:n])
	case Softplus:
		vsoftplus(yp, h)
		vsigmoid(r.s[:n], h)
	case Tanh:
		vtanh(yp, h)
	case Sigmoid:
		vsigmoid(yp, h)
	case ELU:
		al := a.Alpha
		for i, v := range h {
			if v > 0 {
				yp[i] = v
			} else {
				yp[i] = T(float64(al) * math.Expm1(float64(v)))
			}
		}
	}
	if p.k == 0 {
		return
	}
	// ẏ_t = σ'(h)∘ḣ_t for every tangent block.
	d1 := r.deriv(n, h, yp, false)
	for t := 1; t <= p.k; t++ {
		vmul(y[t*n:(t+1)*n], x[t*n:(t+1)*n], d1)
	}
}

// deriv fills r.d1 = σ'(h) (and r.d2 = σ″(h) if second) for the n primal
// elements, from h, the output y and the sigmoid cache, and returns r.d1[:n].
func (r *actRun[T]) deriv(n int, h, y []T, second bool) []T {
	a := r.a
	d1 := r.d1[:n]
	var d2 []T
	if second {
		d2 = r.d2[:n]
	}
	switch a.Act {
	case Identity:
		vfill(d1, 1)
	case ReLU, LeakyReLU, PReLU:
		sl := a.slope()
		for i, v := range h {
			if v > 0 {
				d1[i] = 1
			} else {
				d1[i] = sl
			}
		}
	case SiLU:
		// σ' = s(1 + h(1−s)), σ″ = s(1−s)(2 + h(1−2s)).
		if !second {
			// σ' = s + y − y·s with y = h·s: three vector kernels.
			s := r.s[:n]
			vmul(d1, y, s)
			vsub(d1, y, d1)
			vadd(d1, d1, s)
			break
		}
		for i, v := range h {
			s := r.s[i]
			d1[i] = s * (1 + v*(1-s))
			if second {
				d2[i] = s * (1 - s) * (2 + v*(1-2*s))
			}
		}
	case Softplus:
		// σ' = s, σ″ = s(1−s).
		copy(d1, r.s[:n])
		if second {
			for i, s := range r.s[:n] {
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
		for i, v := range h {
			if v > 0 {
				d1[i] = 1
				if second {
					d2[i] = 0
				}
			} else {
				d1[i] = y[i] + al
				if second {
					d2[i] = y[i] + al
				}
			}
		}
	}
	return d1
}

// backward: gh = gy∘σ'(h) + Σ_t gẏ_t∘σ″(h)∘ḣ_t and gḣ_t = gẏ_t∘σ'(h); a
// PReLU slope a collects Σ gy·h + Σ_t gẏ_t·ḣ_t over h ≤ 0, since both y and
// ẏ depend on it.
func (r *actRun[T]) backward(p *pass, x, y, g, gx []T) {
	a := r.a
	n := p.B * a.width
	h := x[:n]
	kt := p.kt()
	if gx == nil {
		// First layer without an input gradient: only the slope gradient.
		if a.SlopeParam != nil && p.param {
			var ds T
			if !p.gZero {
				ds = vleakyBackward(r.tmp[:n], h, g[:n], a.slope())
			}
			for t := 1; t <= kt; t++ {
				ds += maskedDot(h, g[t*n:(t+1)*n], x[t*n:(t+1)*n])
			}
			a.SlopeParam.Grad[0] += ds
		}
		return
	}
	second := kt > 0 && a.Act.smooth()
	// The PReLU primal block goes through the fused asm kernel, which also
	// returns the primal part of the slope gradient.
	var dslope T
	fused := a.piecewiseLinear() && !p.gZero
	if fused {
		dslope = vleakyBackward(gx[:n], h, g[:n], a.slope())
	}
	var d1 []T
	if !fused || p.kg > 0 {
		d1 = r.deriv(n, h, y[:n], second)
	}
	if !p.gZero && !fused {
		vmul(gx[:n], g[:n], d1)
	}
	for t := 1; t <= p.kg; t++ {
		vmul(gx[t*n:(t+1)*n], g[t*n:(t+1)*n], d1)
	}
	if second {
		if p.gZero {
			clear(gx[:n])
			p.gZero = false
		}
		gp := gx[:n]
		d2 := r.d2[:n]
		tmp := r.tmp[:n]
		for t := 1; t <= kt; t++ {
			vmul(tmp, g[t*n:(t+1)*n], x[t*n:(t+1)*n])
			vmuladd(gp, tmp, d2)
		}
	}
	if a.SlopeParam != nil && p.param {
		for t := 1; t <= kt; t++ {
			dslope += maskedDot(h, g[t*n:(t+1)*n], x[t*n:(t+1)*n])
		}
		a.SlopeParam.Grad[0] += dslope
	}
}
