package bounds

import (
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
)

// Benchmarks of one evaluation of each bound with its gradients on the
// SPEC §5 toy networks (float32, batch 200): energy MLP 2→100→100→1 PReLU
// with an output scale, generator 2→100→100→2 PReLU + BatchNorm (Eval mode
// for all Jacobian work). Run with
//
//	go test ./bounds -run '^$' -bench . -benchtime 200ms

const benchB = 200

func toyNets32(t testing.TB, seed uint64) Nets[float32] {
	s := nn.NewStream(seed, "toy")
	e, err := nn.BuildMLP[float32](nn.MLPSpec{Widths: []int{2, 100, 100, 1}, Activation: "prelu", OutputScale: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := nn.BuildMLP[float32](nn.MLPSpec{Widths: []int{2, 100, 100, 2}, Activation: "prelu", BatchNorm: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	return Nets[float32]{Energy: e, Generator: g, Base: Base[float32]{Confine: 0.01}}
}

type benchCase struct {
	name string
	run  func(z []float32)
}

// benchCases builds every bound on the toy networks, each call with
// gradients (weight ≠ 0).
func benchCases(t testing.TB) []benchCase {
	nets := toyNets32(t, 1)
	s := nn.NewStream(2, "bench")
	entropy := func(cfgName string, lo EntropyLower[float32]) benchCase {
		return benchCase{"entropy/" + cfgName, func(z []float32) {
			if _, err := lo.Entropy(z, -1); err != nil {
				t.Fatal(err)
			}
		}}
	}
	gap := func(cfgName string, up GapUpper[float32]) benchCase {
		return benchCase{"gap/" + cfgName, func(z []float32) {
			if _, _, err := up.Gap(z, 1, 1); err != nil {
				t.Fatal(err)
			}
		}}
	}
	iw := func(cfgName string, b *ImportanceWeighted[float32]) benchCase {
		return benchCase{"iw/" + cfgName, func(z []float32) {
			if _, err := b.LogZ(z); err != nil {
				t.Fatal(err)
			}
		}}
	}
	zgp := must(NewZeroGP(nets, 0, benchB))
	xData := make([]float32, benchB*2)
	nn.Normal(s, xData)
	return []benchCase{
		entropy("sv-exact", must(NewSVEntropy(nets, SVConfig{Method: "exact"}, benchB, s))),
		entropy("sv-smin-lobpcg2", must(NewSVEntropy(nets, SVConfig{Method: "smin"}, benchB, s))),
		entropy("sv-top1", must(NewSVEntropy(nets, SVConfig{Method: "topk", K: 1}, benchB, s))),
		entropy("mi-ba", must(NewMIEntropy(nets, MIConfig{LearnSigma: true}, benchB, s))),
		entropy("mi-infonce", must(NewMIEntropy(nets, MIConfig{Estimator: "infonce"}, benchB, s))),
		entropy("mi-nwj", must(NewMIEntropy(nets, MIConfig{Estimator: "nwj"}, benchB, s))),
		gap("gp-exact", must(NewGradientPenalty(nets, GPConfig{}, benchB, s))),
		gap("gp-exact-full", must(NewGradientPenalty(nets, GPConfig{FullGradient: true}, benchB, s))),
		gap("gp-smin", must(NewGradientPenalty(nets, GPConfig{LogDet: "smin"}, benchB, s))),
		gap("diffusion-5x10-ula", must(NewDiffusion(nets, DiffusionConfig{}, benchB, s))),
		gap("diffusion-5x10-mala", must(NewDiffusion(nets, DiffusionConfig{MALA: true}, benchB, s))),
		gap("diffusion-gl8x20-mala", must(NewDiffusion(nets, DiffusionConfig{Nodes: 8, Rule: "gauss-legendre", StepsPerNode: 20, MALA: true}, benchB, s))),
		iw("exact-k100", must(NewImportanceWeighted(nets, IWConfig{}, benchB, s))),
		iw("smin-k100", must(NewImportanceWeighted(nets, IWConfig{LogDet: "smin"}, benchB, s))),
		{"0gp", func([]float32) {
			if _, err := zgp.Penalty(xData, 1); err != nil {
				t.Fatal(err)
			}
		}},
	}
}

func BenchmarkBounds(b *testing.B) {
	z := make([]float32, benchB*2)
	nn.Normal(nn.NewStream(3, "z"), z)
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			c.run(z) // grow the buffers
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.run(z)
			}
		})
	}
}

func BenchmarkLangevinStep(b *testing.B) {
	nets := toyNets32(b, 1)
	s := nn.NewStream(4, "lbench")
	et := must(NewEnergyTarget(nets.Energy, Base[float32]{Confine: 0.01}, benchB))
	lt := must(NewLatentTarget(nets, "", LOBPCGConfig{}, benchB, s))
	lt.S = 0.5
	for _, c := range []struct {
		name string
		tg   Target[float32]
	}{{"data", et}, {"latent", lt}} {
		for _, mala := range []bool{false, true} {
			name := c.name + "/ula"
			if mala {
				name = c.name + "/mala"
			}
			b.Run(name, func(b *testing.B) {
				l := must(NewLangevin[float32](c.tg, benchB, 0.01, mala, s))
				z := make([]float32, benchB*2)
				nn.Normal(s, z)
				l.Reset(z)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					l.Step(z)
				}
			})
		}
	}
}

// TestBoundsAllocs: in steady state no bound allocates.
func TestBoundsAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a few full evaluations")
	}
	z := make([]float32, benchB*2)
	nn.Normal(nn.NewStream(3, "z"), z)
	for _, c := range benchCases(t) {
		c.run(z)
		if a := testing.AllocsPerRun(2, func() { c.run(z) }); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}

// BenchmarkReference times one plain forward + backward pass of each toy
// network at batch 200, the unit in which the bounds' costs read best.
func BenchmarkReference(b *testing.B) {
	nets := toyNets32(b, 1)
	s := nn.NewStream(5, "ref")
	for _, c := range []struct {
		name string
		net  *nn.Network[float32]
	}{{"energy-fwd-bwd", nets.Energy}, {"generator-fwd-bwd", nets.Generator}} {
		b.Run(c.name, func(b *testing.B) {
			ws := c.net.NewWorkspace(benchB, 0)
			x := make([]float32, benchB*c.net.In())
			gy := make([]float32, benchB*c.net.Out())
			nn.Normal(s, x)
			nn.Normal(s, gy)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ws.Forward(x, nn.Eval)
				ws.Backward(gy, nn.GradParams|nn.GradInput)
			}
		})
	}
}
