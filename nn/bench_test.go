package nn

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/ebmcpu/ebmcpu/linalg"
)

// BenchmarkMLPStep is one training step of an MLP with SiLU activations,
// float32, batch 256, MSE loss to random targets, Adam: zero_grad, forward,
// loss, backward (parameter gradients only, as torch computes no gradient for
// the input) and the optimizer step. bench/torch_mlp.py is the same step in
// PyTorch. Compare with -cpu 1,2: the GEMM gets as many workers as -cpu
// gives threads, so -cpu 1 is a single-threaded step.
func BenchmarkMLPStep(b *testing.B) {
	defer linalg.SetWorkers(linalg.Workers())
	for _, widths := range [][]int{{2, 256, 256, 1}, {784, 512, 512, 1}} {
		b.Run(widthsName(widths), func(b *testing.B) {
			linalg.SetWorkers(runtime.GOMAXPROCS(0))
			const B = 256
			s := NewStream(1, "bench")
			n, err := BuildMLP[float32](MLPSpec{Widths: widths, Activation: "silu"}, s)
			if err != nil {
				b.Fatal(err)
			}
			in, out := widths[0], widths[len(widths)-1]
			x := make([]float32, B*in)
			target := make([]float32, B*out)
			gy := make([]float32, B*out)
			Normal(s, x)
			Normal(s, target)
			ws := n.NewWorkspace(B, 0)
			opt := NewAdam(n.Params(), DefaultAdam())
			step := func() {
				n.ZeroGrad()
				y := ws.Forward(x, Train)
				MSE(y, target, gy)
				ws.Backward(gy, GradParams)
				opt.Step()
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/step")
		})
	}
}

func widthsName(w []int) string {
	s := ""
	for i, v := range w {
		if i > 0 {
			s += "-"
		}
		s += fmt.Sprint(v)
	}
	return s
}

// BenchmarkJVP is J(z)·v for k tangents per sample through SPEC §5's toy
// generator (2→100→PReLU→BN→100→PReLU→BN→2, eval mode), batch 200.
func BenchmarkJVP(b *testing.B) {
	for _, k := range []int{2, 8} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			const B = 200
			s := NewStream(2, "bench")
			g, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 100, 100, 2}, Activation: "prelu", BatchNorm: true}, s)
			if err != nil {
				b.Fatal(err)
			}
			z := make([]float32, B*2)
			v := make([]float32, k*B*2)
			Normal(s, z)
			Normal(s, v)
			ws := g.NewWorkspace(B, k)
			ws.JVP(z, v, k, Eval)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ws.JVP(z, v, k, Eval)
			}
		})
	}
}

// BenchmarkGradientPenalty is the θ-gradient of a = ∇_x E(x)·w for the toy
// energy (2→100→100→1 PReLU + scale, spectral norm), batch 200: the inner
// step of bound (c).
func BenchmarkGradientPenalty(b *testing.B) {
	const B = 200
	s := NewStream(3, "bench")
	e, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 100, 100, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, s)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, B*2)
	w := make([]float32, B*2)
	ga := make([]float32, B)
	Normal(s, x)
	Normal(s, w)
	Normal(s, ga)
	ws := e.NewWorkspace(B, 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ws.ScoreDot(x, w, Train)
		ws.BackwardTangent(nil, ga, GradParams)
	}
}
