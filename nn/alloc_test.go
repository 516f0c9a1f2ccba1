package nn

import (
	"testing"

	"github.com/ebmcpu/ebmcpu/linalg"
)

// TestZeroAllocs checks that steady-state passes and optimizer steps allocate
// nothing, on the float32 toy networks of SPEC §5 (spectral-norm energy,
// BatchNorm generator) and on every kind of pass.
func TestZeroAllocs(t *testing.T) {
	s := NewStream(71, "alloc")
	energy, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 32, 32, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 32, 32, 2}, Activation: "prelu", BatchNorm: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	smooth, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 32, 2}, Activation: "silu", OutputActivation: "tanh"}, s)
	if err != nil {
		t.Fatal(err)
	}
	const B, k = 16, 2
	x := make([]float32, B*2)
	v := make([]float32, k*B*2)
	gy := make([]float32, B*2)
	gyd := make([]float32, k*B*2)
	val := make([]float32, B)
	jac := make([]float32, B*4)
	Normal(s, x)
	Normal(s, v)
	Normal(s, gy)
	Normal(s, gyd)
	ew, gw, sw := energy.NewWorkspace(B, k), gen.NewWorkspace(B, k), smooth.NewWorkspace(B, k)
	adam := NewAdam(gen.Params(), DefaultAdam())
	// A parameter set large enough for the parallel Adam step.
	big := []*Param[float32]{newParam[float32]("big", 3*parallelMin)}
	bigAdam := NewAdam(big, DefaultAdam())
	defer linalg.SetWorkers(linalg.Workers())
	linalg.SetWorkers(2)
	sgd := NewSGD(energy.Params(), SGDConfig{LR: 0.1, Momentum: 0.9})

	cases := []struct {
		name string
		f    func()
	}{
		{"energy forward train", func() { ew.Forward(x, Train) }},
		{"energy backward", func() { ew.Forward(x, Train); ew.Backward(gy[:B], GradParams|GradInput) }},
		{"energy score", func() { ew.Score(x, Eval) }},
		{"energy score·w + ∇θ", func() { ew.ScoreDot(x, v[:B*2], Train); ew.BackwardTangent(nil, gy[:B], GradParams) }},
		{"generator forward train", func() { gw.Forward(x, Train) }},
		{"generator backward train", func() { gw.Forward(x, Train); gw.Backward(gy, GradParams|GradInput) }},
		{"generator JVP", func() { gw.JVP(x, v, k, Eval) }},
		{"generator backward tangent", func() { gw.JVP(x, v, k, Eval); gw.BackwardTangent(gy, gyd, GradParams|GradInput) }},
		{"generator VJP", func() { gw.VJPAt(x, gyd, k, Eval) }},
		{"generator Jacobian", func() { gw.Jacobian(x, Eval, jac) }},
		{"generator log det", func() { gw.HalfLogDet(x, Eval, nil, val, GradParams|GradInput) }},
		{"smooth backward tangent", func() { sw.JVP(x, v, k, Eval); sw.BackwardTangent(gy, gyd, GradParams|GradInput) }},
		{"adam step", func() { adam.Step() }},
		{"adam step, 2 workers", func() { bigAdam.Step() }},
		{"sgd step", func() { sgd.Step() }},
		{"zero grad", func() { gen.ZeroGrad() }},
		{"mse", func() { MSE(gy, gyd[:B*2], v[:B*2]) }},
	}
	for _, c := range cases {
		c.f() // warm up (lazy scratch)
		if n := testing.AllocsPerRun(20, c.f); n != 0 {
			t.Errorf("%s: %v allocations per run", c.name, n)
		}
	}
}
