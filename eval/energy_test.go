package eval

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// TestEnergyParts: one pass of an energy with a Gaussian base gives E, as
// Energy does, and its network part E_θ, as the adapter without the base
// does, across chunks.
func TestEnergyParts(t *testing.T) {
	const D, B, chunk = 3, 10, 4
	net, err := nn.BuildMLP[float32](nn.MLPSpec{Widths: []int{D, 8, 1}, Activation: "silu"}, nn.NewStream(1, "net"))
	require.NoError(t, err)
	base := bounds.Base[float32]{Confine: 0.1, Mean: []float32{0.5, -1, 0}, Precision: []float32{2, 0.5, 0, 0.5, 1, 0, 0, 0, 3}}
	withBase, err := NewNetworkEnergy(net, base, chunk)
	require.NoError(t, err)
	plain, err := NewNetworkEnergy(net, bounds.Base[float32]{}, chunk)
	require.NoError(t, err)
	x := make([]float64, B*D)
	nn.Normal(nn.NewStream(2, "x"), x)

	e, eNet, want, wantNet := make([]float64, B), make([]float64, B), make([]float64, B), make([]float64, B)
	withBase.EnergyParts(x, e, eNet)
	withBase.Energy(x, want)
	plain.Energy(x, wantNet)
	require.Equal(t, want, e)
	require.Equal(t, wantNet, eNet)
	for b := range e {
		require.Greater(t, e[b], eNet[b], "the base is positive definite: it adds to every energy")
	}
}
