package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// ConfinedEnergy is the energy a model defines,
//
//	E(x) = E_θ(x) + c‖x‖²,
//
// the network plus a parameter-free confining term (c ≥ 0) that keeps
// exp(−E) integrable whatever the network does at infinity. It is the one
// home of that sum: the bounds, the trainer, the Model, the evaluation and
// the pictures all evaluate E through it. Each value owns a workspace, so
// one is needed per goroutine; several may share the network, which Eval
// passes only read. Energies are returned in float64; the slices returned
// are views valid until the next call.
type ConfinedEnergy[T asm.Float] struct {
	Net     *nn.Network[T]
	Confine float64
	D       int
	ws      *nn.Workspace[T]
	x       []T       // the input of the last Energy, for the gradients
	e       []float64 // energies of the last call, B
	g       []T       // ∇_x E of the last Score or InputGrad, B×D
	gy      []T       // backward seeds, B
	coef    []T       // cotangents of MixedBackward, B
}

// NewConfinedEnergy returns the confined energy of net (D → 1) with
// confinement c for batches of at most maxBatch points; tangents is the
// number of tangent directions per point its workspace carries (1 for
// MixedBackward, else 0).
func NewConfinedEnergy[T asm.Float](net *nn.Network[T], confine float64, maxBatch, tangents int) (*ConfinedEnergy[T], error) {
	switch {
	case net == nil || net.Out() != 1:
		return nil, fmt.Errorf("bounds: the energy network must have one output")
	case !(confine >= 0) || math.IsInf(confine, 1):
		return nil, fmt.Errorf("bounds: confine = %v, want a finite value ≥ 0", confine)
	case maxBatch < 1 || tangents < 0:
		return nil, fmt.Errorf("bounds: ConfinedEnergy: batch %d, tangents %d", maxBatch, tangents)
	}
	return newConfinedEnergy(net, confine, maxBatch, tangents), nil
}

func newConfinedEnergy[T asm.Float](net *nn.Network[T], confine float64, maxB, tangents int) *ConfinedEnergy[T] {
	D := net.In()
	return &ConfinedEnergy[T]{
		Net: net, Confine: confine, D: D, ws: net.NewWorkspace(maxB, tangents),
		e: make([]float64, maxB), g: make([]T, maxB*D), gy: make([]T, maxB), coef: make([]T, maxB),
	}
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

func (ce *ConfinedEnergy[T]) confine(x, y []T, B int) []float64 {
	for b := 0; b < B; b++ {
		ce.e[b] = float64(y[b])
		if ce.Confine != 0 { // skipped at 0: 0·‖x‖² would be NaN when ‖x‖² overflows
			var r2 float64 // in float64: ‖x‖² overflows float32 for |x| ≳ 1.8e19
			for _, v := range x[b*ce.D : (b+1)*ce.D] {
				r2 += float64(v) * float64(v)
			}
			ce.e[b] += ce.Confine * r2
		}
	}
	return ce.e[:B]
}

// BackwardParams accumulates scale·Σ_b ∇_θ E(x_b) into the network's
// parameter gradients, for the x of the last Energy call (the confining
// term has no parameters).
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
// call: the network's input gradient plus 2c·scale·x.
func (ce *ConfinedEnergy[T]) InputGrad(scale T) []T {
	B := len(ce.x) / ce.D
	ce.fillSeed(B, scale)
	gx := ce.ws.Backward(ce.gy[:B], nn.GradInput)
	if ce.Confine != 0 {
		asm.Axpy(T(2*ce.Confine*float64(scale)), ce.x, gx)
	}
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
	if ce.Confine != 0 {
		asm.Axpy(T(2*ce.Confine), x, ce.g[:B*ce.D])
	}
	return e, ce.g[:B*ce.D]
}

// MixedBackward accumulates Σ_b coef_b·∇_θ[∇_x E_θ(x_b)·w_b] into the
// energy's parameter gradients, with the directions w (B×D) held fixed:
// one tangent pass and its reverse mode (the mixed second derivative of
// SPEC §4). The confining term has no parameters. It needs a workspace
// with one tangent.
func (ce *ConfinedEnergy[T]) MixedBackward(x, w []T, coef []float64) {
	B := len(x) / ce.D
	for b := 0; b < B; b++ {
		ce.coef[b] = T(coef[b])
	}
	ce.ws.ScoreDot(x, w[:B*ce.D], nn.Eval)
	ce.ws.BackwardTangent(nil, ce.coef[:B], nn.GradParams)
}
