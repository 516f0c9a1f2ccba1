package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// BatchNorm2D is torch.nn.BatchNorm2d on flattened NCHW images (affine,
// tracking running statistics; eps 1e-5, momentum 0.1 by default): one
// mean and variance per channel, over the batch and the H·W pixels.
//
// Train: y = γ_c(x − μ_c)/√(σ²_c + eps) + β_c with the batch mean and biased
// variance over the N = B·H·W values of channel c; the running statistics
// move as r ← (1−m)r + m·stat with the unbiased variance (N − 1), as torch
// does. A Train pass needs N ≥ 2 and carries no tangents (see BatchNorm).
//
// Eval: y = γ_c(x − r_μ,c)/√(r_σ²,c + eps) + β_c, an affine map per channel,
// so a tangent is scaled by γ_c/√(r_σ²,c + eps).
type BatchNorm2D[T asm.Float] struct {
	Gamma, Beta *Param[T]  // weight and bias, one per channel
	Mean, Var   *Buffer[T] // running_mean, running_var
	Eps         float64
	Momentum    float64
	c, hw       int
}

// NewBatchNorm2D returns a BatchNorm2D over images of the given channels,
// height and width, with γ = 1, β = 0, running mean 0 and running
// variance 1.
func NewBatchNorm2D[T asm.Float](channels, height, width int) *BatchNorm2D[T] {
	if channels <= 0 || height <= 0 || width <= 0 {
		panic("nn: NewBatchNorm2D: sizes must be positive")
	}
	b := &BatchNorm2D[T]{
		Gamma: newParam[T]("weight", channels), Beta: newParam[T]("bias", channels),
		Mean: newBuffer[T]("running_mean", channels), Var: newBuffer[T]("running_var", channels),
		Eps: 1e-5, Momentum: 0.1, c: channels, hw: height * width,
	}
	vfill(b.Gamma.Value, 1)
	vfill(b.Var.Value, 1)
	return b
}

// Kind returns "batchnorm2d".
func (b *BatchNorm2D[T]) Kind() string { return "batchnorm2d" }

// In returns the width C·H·W.
func (b *BatchNorm2D[T]) In() int { return b.c * b.hw }

// Out returns the width C·H·W.
func (b *BatchNorm2D[T]) Out() int { return b.c * b.hw }

// Params returns γ and β.
func (b *BatchNorm2D[T]) Params() []*Param[T] { return []*Param[T]{b.Gamma, b.Beta} }

// Buffers returns the running mean and variance.
func (b *BatchNorm2D[T]) Buffers() []*Buffer[T] { return []*Buffer[T]{b.Mean, b.Var} }

type bn2Run[T asm.Float] struct {
	b          *BatchNorm2D[T]
	xhat       []T // Train: normalised input, B×n
	mean       []T // per channel: batch mean (Train) or running mean snapshot (Eval)
	invstd     []T // per channel: 1/√(var + eps) of the pass
	c1, c2, c3 []T // per-channel scratch
	scale      []T // n: γ∘invstd broadcast over the pixels
	shift      []T // n: Eval: β − μ∘γ∘invstd broadcast; Train: scratch
	meanB      []T // n: Eval: μ broadcast
	acc, row   []T // n: scratch
	ones       []T // maxB ones, for column sums
}

func (b *BatchNorm2D[T]) bind(maxB, maxK int) runner[T] {
	n, c := b.In(), b.c
	return &bn2Run[T]{
		b: b, xhat: make([]T, maxB*n),
		mean: make([]T, c), invstd: make([]T, c), c1: make([]T, c), c2: make([]T, c), c3: make([]T, c),
		scale: make([]T, n), shift: make([]T, n), meanB: make([]T, n), acc: make([]T, n), row: make([]T, n),
		ones: newOnes[T](maxB),
	}
}

// channelSums sets dst[c] to the sum of the c-th block of H·W values of v.
func (r *bn2Run[T]) channelSums(dst, v []T) {
	hw := r.b.hw
	for c := range dst {
		dst[c] = T(sumF64(v[c*hw : (c+1)*hw]))
	}
}

func (r *bn2Run[T]) forward(p *pass, x, y []T) {
	if p.mode == Train {
		r.forwardTrain(p, x, y)
		return
	}
	b := r.b
	n, hw := b.In(), b.hw
	copy(r.mean, b.Mean.Value)
	for c := range r.invstd {
		r.invstd[c] = T(1 / math.Sqrt(float64(b.Var.Value[c])+b.Eps))
	}
	asm.Mul(r.c1, b.Gamma.Value, r.invstd)
	asm.Mul(r.c2, r.mean, r.c1)
	asm.Sub(r.c2, b.Beta.Value, r.c2)
	broadcastChannels(r.scale, r.c1, hw)
	broadcastChannels(r.shift, r.c2, hw)
	broadcastChannels(r.meanB, r.mean, hw)
	// Primal rows through the affine map, tangent rows through its linear part.
	m := p.B * n
	if p.t0 == 0 {
		affineRows(y[:m], x[:m], n, r.scale, r.shift)
	}
	if p.k > 0 {
		affineRows(y[m:(1+p.k)*m], x[m:(1+p.k)*m], n, r.scale, nil)
	}
}

func (r *bn2Run[T]) forwardTrain(p *pass, x, y []T) {
	b := r.b
	n, hw, B := b.In(), b.hw, p.B
	if p.k != 0 {
		panic("nn: BatchNorm2D: a Train pass cannot carry tangents; use Eval for Jacobian work")
	}
	N := B * hw
	if N < 2 {
		panic("nn: BatchNorm2D: a Train pass needs at least 2 values per channel")
	}
	m := B * n
	clear(r.acc)
	sumRows(r.acc, x, B, n, r.ones)
	r.channelSums(r.mean, r.acc)
	asm.Scal(1/T(N), r.mean)
	// Two-pass variance: Σ (x − μ)², keeping the centred rows in xhat.
	asm.Scal(-1, r.mean)
	broadcastChannels(r.shift, r.mean, hw)
	asm.Scal(-1, r.mean)
	affineRows(r.xhat[:m], x[:m], n, nil, r.shift)
	clear(r.acc)
	for i := 0; i < B; i++ {
		c := r.xhat[i*n : (i+1)*n]
		vmuladd(r.acc, c, c)
	}
	r.channelSums(r.c1, r.acc)
	mo := b.Momentum
	for c, ss := range r.c1 {
		s := float64(ss)
		r.invstd[c] = T(1 / math.Sqrt(s/float64(N)+b.Eps))
		rm, rv := &b.Mean.Value[c], &b.Var.Value[c]
		*rm = T((1-mo)*float64(*rm) + mo*float64(r.mean[c]))
		*rv = T((1-mo)*float64(*rv) + mo*s/float64(N-1))
	}
	broadcastChannels(r.row, r.invstd, hw)
	affineRows(r.xhat[:m], r.xhat[:m], n, r.row, nil)
	broadcastChannels(r.scale, b.Gamma.Value, hw)
	broadcastChannels(r.shift, b.Beta.Value, hw)
	affineRows(y[:m], r.xhat[:m], n, r.scale, r.shift)
}

func (r *bn2Run[T]) backward(p *pass, x, y, g, gx []T) {
	if p.mode == Train {
		r.backwardTrain(p, g, gx)
		return
	}
	b := r.b
	n, hw, B := b.In(), b.hw, p.B
	r0, r1 := p.g0(), (1+p.kg)*B
	if gx != nil && r1 > r0 {
		affineRows(gx[r0*n:r1*n], g[r0*n:r1*n], n, r.scale, nil)
	}
	if !p.param {
		return
	}
	// gγ = Σ_primal gy∘(x − μ)∘invstd + Σ_tangent gẏ∘ẋ∘invstd, gβ = Σ_primal gy,
	// each summed over the pixels of a channel.
	clear(r.acc)
	if !p.gZero {
		for i := 0; i < B; i++ {
			asm.Sub(r.row, x[i*n:(i+1)*n], r.meanB)
			vmuladd(r.acc, r.row, g[i*n:(i+1)*n])
		}
		addChannelSums(b.Beta.Grad, r.row, g, B, hw, r.ones)
	}
	for i := B; i < (1+p.kt())*B; i++ {
		vmuladd(r.acc, x[i*n:(i+1)*n], g[i*n:(i+1)*n])
	}
	r.channelSums(r.c1, r.acc)
	vmuladd(b.Gamma.Grad, r.c1, r.invstd)
}

// backwardTrain: gx = γ·invstd·(gy − mean(gy) − x̂·mean(gy∘x̂)), the means
// over the N = B·H·W values of each channel.
func (r *bn2Run[T]) backwardTrain(p *pass, g, gx []T) {
	b := r.b
	n, hw, B := b.In(), b.hw, p.B
	if p.kg != 0 {
		panic("nn: BatchNorm2D: a Train pass cannot carry cotangents; use Eval for Jacobian work")
	}
	if p.gZero {
		return
	}
	sg, sgx := r.c1, r.c2 // per channel Σ gy and Σ gy∘x̂
	clear(r.acc)
	sumRows(r.acc, g, B, n, r.ones)
	r.channelSums(sg, r.acc)
	clear(r.acc)
	for i := 0; i < B; i++ {
		vmuladd(r.acc, g[i*n:(i+1)*n], r.xhat[i*n:(i+1)*n])
	}
	r.channelSums(sgx, r.acc)
	if p.param {
		asm.Add(b.Gamma.Grad, b.Gamma.Grad, sgx)
		asm.Add(b.Beta.Grad, b.Beta.Grad, sg)
	}
	if gx == nil {
		return
	}
	// Per row d = gy − x̂∘(sgx/N) (one FMA pass), then all rows at once
	// gx = d∘scale − scale∘sg/N, scale = γ·invstd.
	scale := r.c3
	asm.Mul(scale, b.Gamma.Value, r.invstd)
	negInvN := -1 / T(B*hw)
	asm.Scal(negInvN, sgx)
	asm.Mul(sg, sg, scale)
	asm.Scal(negInvN, sg)
	m := B * n
	broadcastChannels(r.row, sgx, hw)
	for i := 0; i < B; i++ {
		vmuladd2(gx[i*n:(i+1)*n], r.xhat[i*n:(i+1)*n], r.row, g[i*n:(i+1)*n])
	}
	broadcastChannels(r.scale, scale, hw)
	broadcastChannels(r.shift, sg, hw)
	affineRows(gx[:m], gx[:m], n, r.scale, r.shift)
}
