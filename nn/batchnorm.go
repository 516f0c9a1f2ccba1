package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// BatchNorm is torch.nn.BatchNorm1d on a batch of vectors (affine, tracking
// running statistics; eps 1e-5, momentum 0.1 by default).
//
// Train: y = γ(x − μ_B)/√(σ²_B + eps) + β with the batch mean and biased batch
// variance; the running statistics move as r ← (1−m)r + m·stat, with the
// unbiased variance, as torch does. A Train pass needs B ≥ 2 and carries no
// tangents (the batch statistics make samples interact; SPEC §5 does all
// Jacobian work in eval mode).
//
// Eval: y = γ(x − r_μ)/√(r_σ² + eps) + β, an affine map per column, so a
// tangent is scaled by γ/√(r_σ² + eps).
type BatchNorm[T asm.Float] struct {
	Gamma, Beta *Param[T]  // weight and bias, width n
	Mean, Var   *Buffer[T] // running_mean, running_var
	Eps         float64
	Momentum    float64
	n           int
}

// NewBatchNorm returns a BatchNorm over n features with γ = 1, β = 0, running
// mean 0 and running variance 1.
func NewBatchNorm[T asm.Float](n int) *BatchNorm[T] {
	if n <= 0 {
		panic("nn: NewBatchNorm: width must be positive")
	}
	b := &BatchNorm[T]{
		Gamma: newParam[T]("weight", n), Beta: newParam[T]("bias", n),
		Mean: newBuffer[T]("running_mean", n), Var: newBuffer[T]("running_var", n),
		Eps: 1e-5, Momentum: 0.1, n: n,
	}
	vfill(b.Gamma.Value, 1)
	vfill(b.Var.Value, 1)
	return b
}

// Kind returns "batchnorm".
func (b *BatchNorm[T]) Kind() string { return "batchnorm" }

// In returns the width.
func (b *BatchNorm[T]) In() int { return b.n }

// Out returns the width.
func (b *BatchNorm[T]) Out() int { return b.n }

// Params returns γ and β.
func (b *BatchNorm[T]) Params() []*Param[T] { return []*Param[T]{b.Gamma, b.Beta} }

// Buffers returns the running mean and variance.
func (b *BatchNorm[T]) Buffers() []*Buffer[T] { return []*Buffer[T]{b.Mean, b.Var} }

type bnRun[T asm.Float] struct {
	b      *BatchNorm[T]
	xhat   []T // Train: normalised input, B×n
	mean   []T // Train: batch mean; Eval: running mean snapshot
	invstd []T // 1/√(var + eps) of the pass
	scale  []T // γ∘invstd
	shift  []T // Eval: β − mean∘scale
	acc    []T // scratch, n
	row    []T // scratch, n
	ones   []T // maxB ones, for column sums
}

func (b *BatchNorm[T]) bind(maxB, maxK int) runner[T] {
	n := b.n
	return &bnRun[T]{
		b: b, xhat: make([]T, maxB*n),
		mean: make([]T, n), invstd: make([]T, n), scale: make([]T, n), shift: make([]T, n),
		acc: make([]T, n), row: make([]T, n), ones: newOnes[T](maxB),
	}
}

func (r *bnRun[T]) forward(p *pass, x, y []T) {
	if p.mode == Train {
		r.forwardTrain(p, x, y)
		return
	}
	b := r.b
	n := b.n
	copy(r.mean, b.Mean.Value)
	for j := 0; j < n; j++ {
		r.invstd[j] = T(1 / math.Sqrt(float64(b.Var.Value[j])+b.Eps))
	}
	asm.Mul(r.scale, b.Gamma.Value, r.invstd)
	asm.Mul(r.shift, r.mean, r.scale)
	asm.Sub(r.shift, b.Beta.Value, r.shift)
	// Primal rows through the affine map, tangent rows through its linear part.
	m := p.B * n
	if p.t0 == 0 {
		affineRows(y[:m], x[:m], n, r.scale, r.shift)
	}
	if p.k > 0 {
		affineRows(y[m:(1+p.k)*m], x[m:(1+p.k)*m], n, r.scale, nil)
	}
}

func (r *bnRun[T]) forwardTrain(p *pass, x, y []T) {
	b := r.b
	n, B := b.n, p.B
	if p.k != 0 {
		panic("nn: BatchNorm: a Train pass cannot carry tangents; use Eval for Jacobian work")
	}
	if B < 2 {
		panic("nn: BatchNorm: a Train pass needs at least 2 samples")
	}
	m := B * n
	clear(r.acc)
	sumRows(r.acc, x, B, n, r.ones)
	asm.Scal(1/T(B), r.acc)
	copy(r.mean, r.acc)
	// Two-pass variance: Σ (x − μ)², keeping the centred rows in xhat.
	asm.Scal(-1, r.acc)
	affineRows(r.xhat[:m], x[:m], n, nil, r.acc)
	clear(r.acc)
	for i := 0; i < B; i++ {
		c := r.xhat[i*n : (i+1)*n]
		vmuladd(r.acc, c, c)
	}
	mo := b.Momentum
	for j := 0; j < n; j++ {
		ss := float64(r.acc[j])
		r.invstd[j] = T(1 / math.Sqrt(ss/float64(B)+b.Eps))
		rm, rv := &b.Mean.Value[j], &b.Var.Value[j]
		*rm = T((1-mo)*float64(*rm) + mo*float64(r.mean[j]))
		*rv = T((1-mo)*float64(*rv) + mo*ss/float64(B-1))
	}
	affineRows(r.xhat[:m], r.xhat[:m], n, r.invstd, nil)
	affineRows(y[:m], r.xhat[:m], n, b.Gamma.Value, b.Beta.Value)
}

func (r *bnRun[T]) backward(p *pass, x, y, g, gx []T) {
	if p.mode == Train {
		r.backwardTrain(p, g, gx)
		return
	}
	b := r.b
	n, B := b.n, p.B
	r0, r1 := p.g0(), (1+p.kg)*B
	if gx != nil && r1 > r0 {
		affineRows(gx[r0*n:r1*n], g[r0*n:r1*n], n, r.scale, nil)
	}
	if !p.param {
		return
	}
	// gγ = Σ_primal gy∘x̂ + Σ_tangent gẏ∘ẋ∘invstd, gβ = Σ_primal gy.
	clear(r.acc)
	if !p.gZero {
		for i := 0; i < B; i++ {
			asm.Sub(r.row, x[i*n:(i+1)*n], r.mean)
			vmuladd(r.acc, r.row, g[i*n:(i+1)*n])
		}
		sumRows(b.Beta.Grad, g, B, n, r.ones)
	}
	for i := B; i < (1+p.kt())*B; i++ {
		vmuladd(r.acc, x[i*n:(i+1)*n], g[i*n:(i+1)*n])
	}
	vmuladd(b.Gamma.Grad, r.acc, r.invstd)
}

// backwardTrain: gx = γ·invstd·(gy − mean(gy) − x̂·mean(gy∘x̂)).
func (r *bnRun[T]) backwardTrain(p *pass, g, gx []T) {
	b := r.b
	n, B := b.n, p.B
	if p.kg != 0 {
		panic("nn: BatchNorm: a Train pass cannot carry cotangents; use Eval for Jacobian work")
	}
	if p.gZero {
		return
	}
	sg, sgx := r.acc, r.row
	clear(sg)
	clear(sgx)
	sumRows(sg, g, B, n, r.ones)
	for i := 0; i < B; i++ {
		vmuladd(sgx, g[i*n:(i+1)*n], r.xhat[i*n:(i+1)*n])
	}
	if p.param {
		asm.Add(b.Gamma.Grad, b.Gamma.Grad, sgx)
		asm.Add(b.Beta.Grad, b.Beta.Grad, sg)
	}
	if gx == nil {
		return
	}
	// Per row d = gy − x̂∘(sgx/B) (one FMA pass), then all rows at once
	// gx = d∘scale − scale∘sg/B.
	asm.Mul(r.scale, b.Gamma.Value, r.invstd)
	negInvB := -1 / T(B)
	asm.Scal(negInvB, sgx)
	asm.Mul(sg, sg, r.scale)
	asm.Scal(negInvB, sg)
	for i := 0; i < B; i++ {
		vmuladd2(gx[i*n:(i+1)*n], r.xhat[i*n:(i+1)*n], sgx, g[i*n:(i+1)*n])
	}
	affineRows(gx[:B*n], gx[:B*n], n, r.scale, sg)
}
