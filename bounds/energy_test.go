package bounds

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/nn"
)

// TestConfinedEnergyBase: E − E_θ is the base c‖x‖² + ½(x − μ)ᵀP(x − μ)
// computed by hand, in Energy and Score alike, and InputGrad/Score add
// its gradient 2c·x + P(x − μ) to the network's.
func TestConfinedEnergyBase(t *testing.T) {
	const B, D = 4, 3
	s := nn.NewStream(1, "base")
	net := mlp(t, nn.MLPSpec{Widths: []int{D, 5, 1}, Activation: "silu"}, s)
	base := testBase(D, 0.3, s)
	plain := must(NewConfinedEnergy(net, Base[float64]{}, B, 0))
	ce := must(NewConfinedEnergy(net, base, B, 0))
	x := normals(s, B*D)
	eNet := append([]float64(nil), plain.Energy(x, nn.Eval)...)
	gNet := append([]float64(nil), plain.InputGrad(1)...)
	e := ce.Energy(x, nn.Eval)
	require.Equal(t, eNet, ce.NetworkEnergies())
	g := append([]float64(nil), ce.InputGrad(2)...)
	for b := 0; b < B; b++ {
		xb := x[b*D : (b+1)*D]
		var r2, q float64
		pr := make([]float64, D)
		for i := 0; i < D; i++ {
			r2 += xb[i] * xb[i]
			for j := 0; j < D; j++ {
				pr[i] += base.Precision[i*D+j] * (xb[j] - base.Mean[j])
			}
			q += (xb[i] - base.Mean[i]) * pr[i]
		}
		require.InDelta(t, eNet[b]+0.3*r2+0.5*q, e[b], 1e-12)
		for i := 0; i < D; i++ {
			require.InDelta(t, 2*(gNet[b*D+i]+0.6*xb[i]+pr[i]), g[b*D+i], 1e-12)
		}
	}
	eS, gS := ce.Score(x)
	for b := 0; b < B; b++ {
		require.InDelta(t, e[b], eS[b], 1e-12)
	}
	for i := range gS {
		require.InDelta(t, g[i]/2, gS[i], 1e-12)
	}
}

// TestBaseValidate: a base that does not fit the data or is not a
// precision is refused.
func TestBaseValidate(t *testing.T) {
	good := testBase(2, 0, nn.NewStream(2, "v"))
	require.NoError(t, good.Validate(2))
	require.NoError(t, Base[float64]{Confine: 1}.Validate(2))
	for name, b := range map[string]Base[float64]{
		"negative confine": {Confine: -1},
		"infinite confine": {Confine: math.Inf(1)},
		"wrong width":      {Mean: good.Mean, Precision: good.Precision[:3]},
		"no mean":          {Precision: good.Precision},
		"asymmetric":       {Mean: good.Mean, Precision: []float64{1, 0.5, 0.4, 1}},
		"zero diagonal":    {Mean: good.Mean, Precision: []float64{0, 0, 0, 1}},
		"NaN mean":         {Mean: []float64{math.NaN(), 0}, Precision: good.Precision},
	} {
		require.Error(t, b.Validate(2), name)
	}
}
