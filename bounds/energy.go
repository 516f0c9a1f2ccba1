package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Base is the parameter-free part of an energy,
//
//	B(x) = c‖x‖² + ½(x − μ)ᵀP(x − μ),
//
// a confinement c ≥ 0 and an optional quadratic with mean μ (D) and a
// symmetric positive definite P (D×D, row-major; nil for none): β times
// the precision of a Gaussian fitted to the training data
// (ebm.BaseConfig). Either term makes exp(−E) integrable however
// the network grows at infinity (at most linearly: it is Lipschitz); the
// quadratic also gives the network a density to correct rather than to
// build, e^{−E} = N(x; μ, P⁻¹)^β·e^{−E_θ} up to a constant.
type Base[T asm.Float] struct {
	Confine   float64
	Mean      []T
	Precision []T
}

// Validate checks the base against the data width D.
func (b Base[T]) Validate(D int) error {
	switch {
	case !(b.Confine >= 0) || math.IsInf(b.Confine, 1):
		return fmt.Errorf("bounds: confine = %v, want a finite value ≥ 0", b.Confine)
	case b.Precision == nil && b.Mean == nil:
		return nil
	case len(b.Mean) != D || len(b.Precision) != D*D:
		return fmt.Errorf("bounds: the Gaussian base has a mean of %d and a precision of %d values, want %d and %d×%d", len(b.Mean), len(b.Precision), D, D, D)
	}
	for i, v := range b.Precision {
		if r, c := i/D, i%D; !asm.Finite(float64(v)) || v != b.Precision[c*D+r] || (r == c && !(v > 0)) {
			return fmt.Errorf("bounds: the Gaussian base's precision is not finite and symmetric with a positive diagonal at (%d, %d)", r, c)
		}
	}
	for _, v := range b.Mean {
		if !asm.Finite(float64(v)) {
			return fmt.Errorf("bounds: the Gaussian base's mean is not finite")
		}
	}
	return nil
}

// ConfinedEnergy is the energy a model defines,
//
//	E(x) = E_θ(x) + B(x),
//
// the network plus the parameter-free Base. It is the one home of that
// sum: the bounds, the trainer, the Model, the evaluation and the pictures
// all evaluate E through it. Each value owns a workspace, so one is needed
// per goroutine; several may share the network and the base, which it
// only reads. Energies are returned in float64; the slices returned are
// views valid until the next call.
type ConfinedEnergy[T asm.Float] struct {
	Net  *nn.Network[T]
	Base Base[T]
	D    int
	ws   *nn.Workspace[T]
	x    []T       // the input of the last Energy, for the gradients
	e    []float64 // energies of the last call, B
	eNet []float64 // the network's part E_θ of them, B
	g    []T       // ∇_x E of the last Score or InputGrad, B×D
	gy   []T       // backward seeds, B
	coef []T       // cotangents of MixedBackward, B
	// r holds x − μ and pr = P(x − μ) of the last call (the quadratic's
	// gradient), B×D each; nil without the quadratic.
	r, pr []T
}

// NewConfinedEnergy returns the energy of net (D → 1) with the base b for
// batches of at most maxBatch points; tangents is the number of tangent
// directions per point its workspace carries (1 for MixedBackward, else 0).
func NewConfinedEnergy[T asm.Float](net *nn.Network[T], b Base[T], maxBatch, tangents int) (*ConfinedEnergy[T], error) {
	switch {
	case net == nil || net.Out() != 1:
		return nil, fmt.Errorf("bounds: the energy network must have one output")
	case maxBatch < 1 || tangents < 0:
		return nil, fmt.Errorf("bounds: ConfinedEnergy: batch %d, tangents %d", maxBatch, tangents)
	}
	if err := b.Validate(net.In()); err != nil {
		return nil, err
	}
	return newConfinedEnergy(net, b, maxBatch, tangents), nil
}

func newConfinedEnergy[T asm.Float](net *nn.Network[T], b Base[T], maxB, tangents int) *ConfinedEnergy[T] {
	D := net.In()
	ce := &ConfinedEnergy[T]{
		Net: net, Base: b, D: D, ws: net.NewWorkspace(maxB, tangents),
		e: make([]float64, maxB), eNet: make([]float64, maxB), g: make([]T, maxB*D), gy: make([]T, maxB), coef: make([]T, maxB),
	}
	if b.Precision != nil {
		ce.r, ce.pr = make([]T, maxB*D), make([]T, maxB*D)
	}
	return ce
}

// MaxBatch is the largest batch of one call.
func (ce *ConfinedEnergy[T]) MaxBatch() int { return ce.ws.MaxBatch() }

// Energy returns E(x) for the B×D batch x, with the network in mode (Train
// runs BatchNorm on batch statistics and advances spectral norms). A
// following BackwardParams or InputGrad differentiates this call.
func (ce *ConfinedEnergy[T]) Energy(x []T, mode nn.Mode) []float64 {
	B := len(x) / ce.D
	y := ce.ws.Forward(x, mode)
	ce.x = x
	return ce.confine(x, y, B)
}

// confine returns E = y + B(x) for the network's outputs y, keeping
// P(x − μ) for the gradients.
func (ce *ConfinedEnergy[T]) confine(x, y []T, B int) []float64 {
	D := ce.D
	if ce.Base.Precision != nil {
		r := ce.r[:B*D]
		for b := 0; b < B; b++ {
			for j, v := range x[b*D : (b+1)*D] {
				r[b*D+j] = v - ce.Base.Mean[j]
			}
		}
		// Row b of R·P is (P r_b)ᵀ: P is symmetric.
		linalg.Gemm(false, false, B, D, D, 1, r, D, ce.Base.Precision, D, 0, ce.pr[:B*D], D)
	}
	for b := 0; b < B; b++ {
		ce.eNet[b] = float64(y[b])
		ce.e[b] = ce.eNet[b]
		if ce.Base.Confine != 0 { // skipped at 0: 0·‖x‖² would be NaN when ‖x‖² overflows
			var r2 float64 // in float64: ‖x‖² overflows float32 for |x| ≳ 1.8e19
			for _, v := range x[b*D : (b+1)*D] {
				r2 += float64(v) * float64(v)
			}
			ce.e[b] += ce.Base.Confine * r2
		}
		if ce.Base.Precision != nil {
			var q float64
			for j, v := range ce.r[b*D : (b+1)*D] {
				q += float64(v) * float64(ce.pr[b*D+j])
			}
			ce.e[b] += 0.5 * q
		}
	}
	return ce.e[:B]
}

// NetworkEnergies returns the network's part E_θ(x_b) of the energies of
// the last call: what the trainer's divergence guard bounds.
func (ce *ConfinedEnergy[T]) NetworkEnergies() []float64 { return ce.eNet[:len(ce.x)/ce.D] }

// addBaseGrad adds scale·∇B(x) = scale·(2c·x + P(x − μ)) to g, for the x
// of the last call.
func (ce *ConfinedEnergy[T]) addBaseGrad(x, g []T, scale T) {
	if ce.Base.Confine != 0 {
		asm.Axpy(T(2*ce.Base.Confine*float64(scale)), x, g)
	}
	if ce.Base.Precision != nil {
		asm.Axpy(scale, ce.pr[:len(x)], g)
	}
}

// BackwardParams accumulates scale·Σ_b ∇_θ E(x_b) into the network's
// parameter gradients, for the x of the last Energy call (the base has no
// parameters).
func (ce *ConfinedEnergy[T]) BackwardParams(scale T) {
	B := len(ce.x) / ce.D
	ce.fillSeed(B, scale)
	ce.ws.Backward(ce.gy[:B], nn.GradParams)
}

// BackwardParamsWeighted accumulates Σ_b w_b·∇_θ E(x_b) into the
// network's parameter gradients, for the x of the last Energy call and
// per-point weights w (length ≥ B).
func (ce *ConfinedEnergy[T]) BackwardParamsWeighted(w []T) {
	ce.ws.Backward(w[:len(ce.x)/ce.D], nn.GradParams)
}

// InputGrad returns scale·∇_x E(x_b) (B×D) for the x of the last Energy
// call: the network's input gradient plus the base's.
func (ce *ConfinedEnergy[T]) InputGrad(scale T) []T {
	B := len(ce.x) / ce.D
	ce.fillSeed(B, scale)
	gx := ce.ws.Backward(ce.gy[:B], nn.GradInput)
	ce.addBaseGrad(ce.x, gx, scale)
	return gx
}

func (ce *ConfinedEnergy[T]) fillSeed(B int, v T) {
	for i := range ce.gy[:B] {
		ce.gy[i] = v
	}
}

// Score returns E(x) and ∇_x E(x) (B×D) for the B×D batch x, in Eval mode.
func (ce *ConfinedEnergy[T]) Score(x []T) (e []float64, grad []T) {
	B := len(x) / ce.D
	y, g := ce.ws.Score(x, nn.Eval)
	copy(ce.g, g[:B*ce.D])
	ce.x = x
	e = ce.confine(x, y, B)
	ce.addBaseGrad(x, ce.g[:B*ce.D], 1)
	return e, ce.g[:B*ce.D]
}

// MixedBackward accumulates Σ_b coef_b·∇_θ[∇_x E_θ(x_b)·w_b] into the
// energy's parameter gradients, with the directions w (B×D) held fixed:
// one tangent pass and its reverse mode (the mixed second derivative of
// SPEC §4). The base has no parameters. It needs a workspace
// with one tangent.
func (ce *ConfinedEnergy[T]) MixedBackward(x, w []T, coef []float64) {
	B := len(x) / ce.D
	for b := 0; b < B; b++ {
		ce.coef[b] = T(coef[b])
	}
	ce.ws.ScoreDot(x, w[:B*ce.D], nn.Eval)
	ce.ws.BackwardTangent(nil, ce.coef[:B], nn.GradParams)
}
