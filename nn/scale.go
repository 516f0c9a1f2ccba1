package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Scale is y = s·x with one learnable scalar s: the energy's learned output
// scale, a bias-free torch.nn.Linear(1, 1) when the width is 1 (for wider
// inputs the same scalar multiplies every feature).
type Scale[T asm.Float] struct {
	S     *Param[T] // shape [1, 1], torch's Linear(1,1).weight
	width int
}

// NewScale returns a Scale layer of the given width with s initialised like
// torch.nn.Linear(1, 1, bias=False): U(−1, 1). A nil stream sets s = 1.
func NewScale[T asm.Float](width int, s *Stream) *Scale[T] {
	if width <= 0 {
		panic("nn: NewScale: width must be positive")
	}
	l := &Scale[T]{S: newParam[T]("weight", 1, 1), width: width}
	if s != nil {
		KaimingUniform(s, l.S.Value, 1, math.Sqrt(5))
	} else {
		l.S.Value[0] = 1
	}
	return l
}

// Kind returns "scale".
func (l *Scale[T]) Kind() string { return "scale" }

// In returns the width.
func (l *Scale[T]) In() int { return l.width }

// Out returns the width.
func (l *Scale[T]) Out() int { return l.width }

// Params returns s.
func (l *Scale[T]) Params() []*Param[T] { return []*Param[T]{l.S} }

// Buffers returns nothing.
func (l *Scale[T]) Buffers() []*Buffer[T] { return nil }

type scaleRun[T asm.Float] struct{ l *Scale[T] }

func (l *Scale[T]) bind(maxB, maxK int) runner[T] { return scaleRun[T]{l} }

func (r scaleRun[T]) forward(p *pass, x, y []T) {
	t0, m := p.t0*r.l.width, (1+p.k)*p.B*r.l.width
	copy(y[t0:m], x[t0:m])
	asm.Scal(r.l.S.Value[0], y[t0:m])
}

func (r scaleRun[T]) backward(p *pass, x, y, g, gx []T) {
	n := r.l.width
	r0, r1 := p.g0()*n, (1+p.kg)*p.B*n
	if gx != nil && r1 > r0 {
		copy(gx[r0:r1], g[r0:r1])
		asm.Scal(r.l.S.Value[0], gx[r0:r1])
	}
	if x1 := (1 + p.kt()) * p.B * n; p.param && x1 > r0 {
		r.l.S.Grad[0] += asm.Dot(g[r0:x1], x[r0:x1])
	}
}
