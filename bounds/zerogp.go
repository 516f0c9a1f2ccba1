package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// ZeroGP is the "0GP" baseline penalty of the released code (a zero-centred
// R1 penalty on real data, Mescheder et al. 2018): λ·mean_i ‖∇_x E(x_i)‖²
// over a data batch. It is not a bound; it is what bidirectional training
// is compared with. Its θ-gradient is 2λ·mean_i ∂_θ[∇_x E_θ(x_i)·w_i] with
// w_i = ∇_x E(x_i) held fixed.
type ZeroGP[T asm.Float] struct {
	lambda float64
	en     *ConfinedEnergy[T]
	maxB   int
	coef   []float64
}

// NewZeroGP returns the 0GP penalty of weight λ (0 selects 1e-3) on the
// energy of nets, for data batches of at most maxBatch samples.
func NewZeroGP[T asm.Float](nets Nets[T], lambda float64, maxBatch int) (*ZeroGP[T], error) {
	if nets.Energy == nil || nets.Energy.Out() != 1 {
		return nil, fmt.Errorf("bounds: ZeroGP needs a scalar energy")
	}
	if lambda == 0 {
		lambda = 1e-3
	}
	if !(lambda > 0) || math.IsInf(lambda, 1) || maxBatch < 1 {
		return nil, fmt.Errorf("bounds: ZeroGP: λ = %v, maxBatch = %d", lambda, maxBatch)
	}
	return &ZeroGP[T]{lambda: lambda, en: newConfinedEnergy(nets.Energy, nets.Base, maxBatch, 1), maxB: maxBatch,
		coef: make([]float64, maxBatch)}, nil
}

// Name identifies the penalty.
func (g *ZeroGP[T]) Name() string { return fmt.Sprintf("0gp(λ=%g)", g.lambda) }

// Penalty returns λ·mean‖∇_x E(x)‖² on the B×D data batch x and, if
// weight ≠ 0, accumulates weight·∇_θ of it into the energy's Param.Grad.
func (g *ZeroGP[T]) Penalty(x []T, weight float64) (float64, error) {
	D := g.en.D
	if len(x)%D != 0 || len(x) == 0 || len(x) > g.maxB*D {
		return 0, fmt.Errorf("bounds: ZeroGP: %d data values for width %d and at most %d samples", len(x), D, g.maxB)
	}
	B := len(x) / D
	_, gr := g.en.Score(x)
	pen := g.lambda * float64(asm.Dot(gr, gr)) / float64(B)
	if weight != 0 {
		for b := range g.coef[:B] {
			g.coef[b] = 2 * weight * g.lambda / float64(B)
		}
		g.en.MixedBackward(x, gr, g.coef[:B])
	}
	return pen, nil
}
