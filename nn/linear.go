package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// Linear is y = x·Wᵀ + b with W of shape Out×In (PyTorch's layout), with an
// optional spectral normalisation of W (see WithSpectralNorm).
//
// On the stacked rows of a tangent pass it is one GEMM with (1+k)·B rows (the
// bias touches only the primal rows); its backward is one GEMM for the input
// gradient and one for the weight gradient, over the primal and tangent rows
// together: gW = Σ_rows gᵀx = gyᵀx + Σ_t gẏ_tᵀ ẋ_t.
type Linear[T asm.Float] struct {
	W *Param[T] // Out×In
	B *Param[T] // Out, or nil without bias

	// U (Out) and V (In) are the spectral-norm power-iteration vectors; nil
	// when the layer is not normalised.
	U, V *Buffer[T]
	// SNEps guards the normalisation of U and V (torch's eps, 1e-12).
	SNEps float64

	in, out int
}

// NewLinear returns an in→out Linear layer initialised like torch.nn.Linear:
// W from kaiming_uniform(a = √5), i.e. U(±1/√in), and the bias from
// U(±1/√in). A nil stream leaves the parameters zero (to be loaded).
func NewLinear[T asm.Float](in, out int, bias bool, s *Stream) *Linear[T] {
	if in <= 0 || out <= 0 {
		panic("nn: NewLinear: widths must be positive")
	}
	l := &Linear[T]{W: newParam[T]("weight", out, in), in: in, out: out}
	if bias {
		l.B = newParam[T]("bias", out)
	}
	if s != nil {
		KaimingUniform(s, l.W.Value, in, math.Sqrt(5))
		if bias {
			b := 1 / math.Sqrt(float64(in))
			Uniform(s, l.B.Value, -b, b)
		}
	}
	return l
}

// Kind returns "linear".
func (l *Linear[T]) Kind() string { return "linear" }

// In returns the input width.
func (l *Linear[T]) In() int { return l.in }

// Out returns the output width.
func (l *Linear[T]) Out() int { return l.out }

// Params returns W and, if present, the bias.
func (l *Linear[T]) Params() []*Param[T] {
	if l.B == nil {
		return []*Param[T]{l.W}
	}
	return []*Param[T]{l.W, l.B}
}

// Buffers returns the spectral-norm vectors U and V, if any.
func (l *Linear[T]) Buffers() []*Buffer[T] {
	if l.U == nil {
		return nil
	}
	return []*Buffer[T]{l.U, l.V}
}

type linearRun[T asm.Float] struct {
	l    *Linear[T]
	sn   *snRun[T] // nil without spectral norm
	ones []T       // maxB ones, for the bias gradient (column sums)
}

func (l *Linear[T]) bind(maxB, maxK int) runner[T] {
	r := &linearRun[T]{l: l}
	if l.B != nil {
		r.ones = newOnes[T](maxB)
	}
	if l.U != nil {
		r.sn = newSNRun[T](l.out, l.in)
	}
	return r
}

func (r *linearRun[T]) forward(p *pass, x, y []T) {
	l := r.l
	w := l.W.Value
	if r.sn != nil {
		w = r.sn.prepare(l, p.mode)
	}
	rows := (1 + p.k) * p.B
	if l.B == nil || p.t0 > 0 {
		t0 := p.t0
		linalg.Gemm(false, true, rows-t0, l.out, l.in, 1, x[t0*l.in:], l.in, w, l.in, 0, y[t0*l.out:], l.out)
		return
	}
	// The bias goes to the primal rows only, in the GEMM's store.
	linalg.GemmBias(false, true, rows, l.out, l.in, x, l.in, w, l.in, y, l.out, l.B.Value, p.B)
}

func (r *linearRun[T]) backward(p *pass, x, y, g, gx []T) {
	l := r.l
	in, out := l.in, l.out
	w := l.W.Value
	if r.sn != nil {
		w = r.sn.weff
	}
	r0, r1 := p.g0(), (1+p.kg)*p.B
	if gx != nil && r1 > r0 {
		linalg.Gemm(false, false, r1-r0, in, out, 1, g[r0*out:], out, w, in, 0, gx[r0*in:], in)
	}
	if !p.param {
		return
	}
	// Rows where both g and x are (possibly) nonzero: the primal block and,
	// when the forward carried tangents, the tangent blocks.
	if x1 := (1 + p.kt()) * p.B; x1 > r0 {
		gs, xs, rows := g[r0*out:x1*out], x[r0*in:x1*in], x1-r0
		if r.sn == nil {
			linalg.Gemm(true, false, out, in, rows, 1, gs, out, xs, in, 1, l.W.Grad, in)
		} else {
			linalg.Gemm(true, false, out, in, rows, 1, gs, out, xs, in, 0, r.sn.gw, in)
			r.sn.accumulate(l)
		}
	}
	if l.B != nil && !p.gZero {
		sumRows(l.B.Grad, g, p.B, out, r.ones)
	}
}
