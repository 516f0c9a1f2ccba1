package eval

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// BatchEnergy is an energy function evaluated on batches in float64: the
// interface the grid quadrature, annealed importance sampling and the
// Langevin sampler of this package run on. A network is adapted by
// NetworkEnergy; tests pass closed-form energies.
type BatchEnergy interface {
	// Dim returns the width D of one point.
	Dim() int
	// Energy sets e[b] = E(x_b) for the B×D batch x (row-major).
	Energy(x, e []float64)
	// EnergyGrad sets e[b] = E(x_b) and g (B×D) = ∇_x E(x_b).
	EnergyGrad(x, e, g []float64)
}

// NetworkEnergy adapts the energy of a float32 network with its base
// (bounds.ConfinedEnergy: E_θ(x) + B(x)) to BatchEnergy: inputs are
// rounded to float32, the network runs in Eval mode on its own workspace,
// in chunks of the workspace's size, and the results are widened to
// float64. It is not safe for concurrent use; make one per goroutine (they
// may share the network, which they only read).
type NetworkEnergy struct {
	ce *bounds.ConfinedEnergy[float32]
	x  []float32
}

// NewNetworkEnergy returns the adapter for net with the base b and chunks
// of at most chunk points.
func NewNetworkEnergy(net *nn.Network[float32], b bounds.Base[float32], chunk int) (*NetworkEnergy, error) {
	ce, err := bounds.NewConfinedEnergy(net, b, chunk, 0)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	return &NetworkEnergy{ce: ce, x: make([]float32, chunk*ce.D)}, nil
}

// Dim implements BatchEnergy.
func (ne *NetworkEnergy) Dim() int { return ne.ce.D }

// Energy implements BatchEnergy.
func (ne *NetworkEnergy) Energy(x, e []float64) { ne.run(x, e, nil, nil) }

// EnergyParts sets e[b] = E(x_b) and, from the same pass, eNet[b] to the
// network's part E_θ(x_b) (eNet nil: not wanted).
func (ne *NetworkEnergy) EnergyParts(x, e, eNet []float64) { ne.run(x, e, eNet, nil) }

// EnergyGrad implements BatchEnergy.
func (ne *NetworkEnergy) EnergyGrad(x, e, g []float64) { ne.run(x, e, nil, g) }

func (ne *NetworkEnergy) run(x, e, eNet, g []float64) {
	D, C := ne.ce.D, ne.ce.MaxBatch()
	B := len(x) / D
	for s := 0; s < B; s += C {
		n := min(C, B-s)
		xs := ne.x[:n*D]
		for i, v := range x[s*D : (s+n)*D] {
			xs[i] = float32(v)
		}
		var es []float64
		if g == nil {
			es = ne.ce.Energy(xs, nn.Eval)
		} else {
			var gs []float32
			es, gs = ne.ce.Score(xs)
			for i, v := range gs {
				g[s*D+i] = float64(v)
			}
		}
		copy(e[s:s+n], es)
		if eNet != nil {
			copy(eNet[s:s+n], ne.ce.NetworkEnergies())
		}
	}
}
