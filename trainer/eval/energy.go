package eval

import (
	"fmt"

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

// NetworkEnergy adapts a float32 energy network (D → 1) plus a confining
// term c‖x‖² to BatchEnergy: inputs are rounded to float32, the network runs
// in Eval mode on its own workspace, in chunks of the workspace's size, and
// the results are widened to float64. It is not safe for concurrent use;
// make one per goroutine (they may share the network, which they only read).
type NetworkEnergy struct {
	ws      *nn.Workspace[float32]
	confine float64
	D       int
	x       []float32
}

// NewNetworkEnergy returns the adapter for net with confinement c ≥ 0 and
// chunks of at most chunk points.
func NewNetworkEnergy(net *nn.Network[float32], confine float64, chunk int) (*NetworkEnergy, error) {
	if net == nil || net.Out() != 1 {
		return nil, fmt.Errorf("eval: the energy network must have one output")
	}
	if !(confine >= 0) || chunk < 1 {
		return nil, fmt.Errorf("eval: NetworkEnergy: confine %v, chunk %d", confine, chunk)
	}
	D := net.In()
	return &NetworkEnergy{ws: net.NewWorkspace(chunk, 0), confine: confine, D: D, x: make([]float32, chunk*D)}, nil
}

// Dim implements BatchEnergy.
func (ne *NetworkEnergy) Dim() int { return ne.D }

// Energy implements BatchEnergy.
func (ne *NetworkEnergy) Energy(x, e []float64) { ne.run(x, e, nil) }

// EnergyGrad implements BatchEnergy.
func (ne *NetworkEnergy) EnergyGrad(x, e, g []float64) { ne.run(x, e, g) }

func (ne *NetworkEnergy) run(x, e, g []float64) {
	D, C := ne.D, ne.ws.MaxBatch()
	B := len(x) / D
	for s := 0; s < B; s += C {
		n := min(C, B-s)
		xs := ne.x[:n*D]
		for i, v := range x[s*D : (s+n)*D] {
			xs[i] = float32(v)
		}
		var y, gy []float32
		if g == nil {
			y = ne.ws.Forward(xs, nn.Eval)
		} else {
			y, gy = ne.ws.Score(xs, nn.Eval)
		}
		for b := 0; b < n; b++ {
			// The confining term is evaluated at the float32 point the
			// network saw, so that E and ∇E describe the same function.
			var r2 float64
			for _, v := range xs[b*D : (b+1)*D] {
				r2 += float64(v) * float64(v)
			}
			e[s+b] = float64(y[b]) + ne.confine*r2
		}
		if g != nil {
			for i, v := range gy[:n*D] {
				g[s*D+i] = float64(v) + 2*ne.confine*float64(xs[i])
			}
		}
	}
}
