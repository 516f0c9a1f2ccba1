package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Spectral normalisation with torch.nn.utils.spectral_norm's semantics
// (n_power_iterations = 1, eps = 1e-12): the layer uses W/σ with
// σ = uᵀWv, where u and v are persistent buffers. A Train pass first
// advances the power iteration one step,
//
//	v ← normalize(Wᵀu),  u ← normalize(W v),
//
// an Eval pass uses u and v as stored. The gradient treats u and v as
// constants: with G = ∂L/∂(W/σ), ∂L/∂W = G/σ − (⟨G, W/σ⟩/σ)·u vᵀ.
// Each pass snapshots u, v and W/σ in its workspace, so passes in flight
// keep their own σ even if a later Train pass moves the iteration on.

// WithSpectralNorm makes l spectrally normalised and returns it. u and v start
// as normalised standard-normal vectors drawn from s (as torch does); a nil
// stream starts them at e₁ (to be loaded from a checkpoint).
func (l *Linear[T]) WithSpectralNorm(s *Stream) *Linear[T] {
	l.U = newBuffer[T]("weight_u", l.out)
	l.V = newBuffer[T]("weight_v", l.in)
	l.SNEps = 1e-12
	if s != nil {
		Normal(s, l.U.Value)
		Normal(s, l.V.Value)
	} else {
		l.U.Value[0], l.V.Value[0] = 1, 1
	}
	normalizeT(l.U.Value, l.SNEps)
	normalizeT(l.V.Value, l.SNEps)
	return l
}

// SpectralNorm returns the current estimate σ = uᵀWv of the largest singular
// value of W (0 if the layer is not normalised). It changes nothing.
func (l *Linear[T]) SpectralNorm() float64 {
	if l.U == nil {
		return 0
	}
	return uWv(l.W.Value, l.U.Value, l.V.Value, l.out, l.in)
}

// PowerIterate advances the spectral-norm power iteration n steps, as n Train
// passes would, and returns the new σ.
func (l *Linear[T]) PowerIterate(n int) float64 {
	if l.U == nil {
		return 0
	}
	r := newSNRun[T](l.out, l.in)
	for i := 0; i < n; i++ {
		r.iterate(l)
	}
	return l.SpectralNorm()
}

type snRun[T asm.Float] struct {
	weff  []T // W/σ of the current pass, Out×In
	gw    []T // ∂L/∂(W/σ) of the current backward
	u, v  []T // snapshot of the vectors used by the current pass
	sigma float64
	tu    []float64 // scratch, Out
	tv    []float64 // scratch, In
}

func newSNRun[T asm.Float](out, in int) *snRun[T] {
	return &snRun[T]{
		weff: make([]T, out*in), gw: make([]T, out*in),
		u: make([]T, out), v: make([]T, in),
		tu: make([]float64, out), tv: make([]float64, in),
	}
}

// iterate runs one power-iteration step on the layer's buffers. The
// matrix–vector products are O(Out·In), negligible next to the batch GEMM, and
// run in float64 so the iteration itself adds no float32 rounding drift.
func (r *snRun[T]) iterate(l *Linear[T]) {
	w, u, v := l.W.Value, l.U.Value, l.V.Value
	out, in := l.out, l.in
	clear(r.tv)
	for i := 0; i < out; i++ {
		ui := float64(u[i])
		row := w[i*in : (i+1)*in]
		for j, wij := range row {
			r.tv[j] += float64(wij) * ui
		}
	}
	normalize64(r.tv, l.SNEps)
	for i := 0; i < out; i++ {
		row := w[i*in : (i+1)*in]
		var s float64
		for j, wij := range row {
			s += float64(wij) * r.tv[j]
		}
		r.tu[i] = s
	}
	normalize64(r.tu, l.SNEps)
	for j := range v {
		v[j] = T(r.tv[j])
	}
	for i := range u {
		u[i] = T(r.tu[i])
	}
}

// prepare computes W/σ for a pass in the given mode and returns it.
func (r *snRun[T]) prepare(l *Linear[T], mode Mode) []T {
	if mode == Train {
		r.iterate(l)
	}
	copy(r.u, l.U.Value)
	copy(r.v, l.V.Value)
	r.sigma = uWv(l.W.Value, r.u, r.v, l.out, l.in)
	inv := T(1 / r.sigma)
	for i, wij := range l.W.Value {
		r.weff[i] = wij * inv
	}
	return r.weff
}

// accumulate adds ∂L/∂W to l.W.Grad from r.gw = ∂L/∂(W/σ).
func (r *snRun[T]) accumulate(l *Linear[T]) {
	in := l.in
	c := float64(asm.Dot(r.gw, r.weff)) / r.sigma
	inv := T(1 / r.sigma)
	for i := 0; i < l.out; i++ {
		cu := T(c * float64(r.u[i]))
		gw := r.gw[i*in : (i+1)*in]
		gr := l.W.Grad[i*in : (i+1)*in]
		for j, v := range r.v {
			gr[j] += gw[j]*inv - cu*v
		}
	}
}

func uWv[T asm.Float](w, u, v []T, out, in int) float64 {
	var s float64
	for i := 0; i < out; i++ {
		row := w[i*in : (i+1)*in]
		var d float64
		for j, wij := range row {
			d += float64(wij) * float64(v[j])
		}
		s += float64(u[i]) * d
	}
	return s
}

func normalize64(x []float64, eps float64) {
	var s float64
	for _, v := range x {
		s += v * v
	}
	n := math.Max(math.Sqrt(s), eps)
	for i := range x {
		x[i] /= n
	}
}

func normalizeT[T asm.Float](x []T, eps float64) {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	n := math.Max(math.Sqrt(s), eps)
	for i := range x {
		x[i] = T(float64(x[i]) / n)
	}
}
