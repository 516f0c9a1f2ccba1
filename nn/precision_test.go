package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
)

func to64[T asm.Float](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func to32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestFloat32MatchesFloat64 runs the same network (state copied with
// CopyState) in both precisions on every kind of pass and compares the
// results at float32 accuracy.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, spec := range []MLPSpec{
		{Widths: []int{3, 16, 16, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true},
		{Widths: []int{3, 16, 16, 4}, Activation: "silu", BatchNorm: true},
		{Widths: []int{3, 16, 4}, Activation: "softplus"},
		{Widths: []int{3, 16, 4}, Activation: "tanh", OutputActivation: "sigmoid"},
		{Widths: []int{3, 16, 4}, Activation: "elu"},
	} {
		t.Run(spec.Activation, func(t *testing.T) {
			s := NewStream(51, spec.Activation)
			n64 := mustMLP(spec, s)
			randomizeState(n64, s)
			n32, err := BuildMLP[float32](spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := CopyState(n32, n64); err != nil {
				t.Fatal(err)
			}
			const B, k = 8, 3
			x := randVec(s, B*3, -2, 2)
			v := randVec(s, k*B*3, -1, 1)
			gy := randVec(s, B*n64.Out(), -1, 1)
			gyd := randVec(s, k*B*n64.Out(), -1, 1)
			w64, w32 := n64.NewWorkspace(B, k), n32.NewWorkspace(B, k)
			const tol = 2e-5

			mode := Eval
			y64, yd64 := w64.ForwardTangent(x, v, k, mode)
			y32, yd32 := w32.ForwardTangent(to32(x), to32(v), k, mode)
			fdcheck.Close(t, "y", to64(y32), y64, tol)
			fdcheck.Close(t, "ẏ", to64(yd32), yd64, tol)
			n64.ZeroGrad()
			n32.ZeroGrad()
			gx64, gv64 := w64.BackwardTangent(gy, gyd, GradParams|GradInput)
			gx32, gv32 := w32.BackwardTangent(to32(gy), to32(gyd), GradParams|GradInput)
			fdcheck.Close(t, "gx", to64(gx32), gx64, tol)
			fdcheck.Close(t, "gv", to64(gv32), gv64, tol)
			for i, p := range n64.Params() {
				fdcheck.Close(t, "grad "+p.Name, to64(n32.Params()[i].Grad), p.Grad, tol)
			}

			// A Train pass (batch statistics, power iteration) in both.
			y64 = w64.Forward(x, Train)
			y32 = w32.Forward(to32(x), Train)
			fdcheck.Close(t, "train y", to64(y32), y64, tol)
			gx64 = w64.Backward(gy, GradInput)
			gx32 = w32.Backward(to32(gy), GradInput)
			fdcheck.Close(t, "train gx", to64(gx32), gx64, tol)
			for i, b := range n64.Buffers() {
				fdcheck.Close(t, "buffer "+b.Name, to64(n32.Buffers()[i].Value), b.Value, tol)
			}
		})
	}
}

// TestDeterminism: the same seed gives the same bits — initial parameters,
// samples, and a few training steps — and different stream names give
// different values.
func TestDeterminism(t *testing.T) {
	run := func() []float32 {
		r := NewRNG(12345)
		spec := MLPSpec{Widths: []int{2, 32, 32, 2}, Activation: "prelu", BatchNorm: true}
		n, err := BuildMLP[float32](spec, r.Stream("init/generator"))
		if err != nil {
			t.Fatal(err)
		}
		opt := NewAdam(n.Params(), AdamConfig{LR: 1e-2, Beta1: 0, Beta2: 0.9, Eps: 1e-6})
		ws := n.NewWorkspace(16, 0)
		z := make([]float32, 32)
		target := make([]float32, 32)
		gy := make([]float32, 32)
		for i := 0; i < 5; i++ {
			Normal(r.Stream("latents"), z)
			Normal(r.Stream("data"), target)
			n.ZeroGrad()
			y := ws.Forward(z, Train)
			MSE(y, target, gy)
			ws.Backward(gy, GradParams)
			opt.Step()
		}
		var out []float32
		for _, p := range n.Params() {
			out = append(out, p.Value...)
		}
		for _, b := range n.Buffers() {
			out = append(out, b.Value...)
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("value %d differs between identical runs: %v vs %v", i, a[i], b[i])
		}
	}

	x, y := make([]float64, 64), make([]float64, 64)
	Normal(NewStream(1, "data"), x)
	Normal(NewStream(1, "latents"), y)
	Normal(NewRNG(1).Stream("data"), y[:32])
	if !equalBits(x[:32], y[:32]) {
		t.Errorf("NewStream and RNG.Stream disagree")
	}
	same := 0
	for i := 32; i < 64; i++ {
		if x[i] == y[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("streams \"data\" and \"latents\" share %d values", same)
	}
}

// TestFloat32MatchesFloat64Paths covers the float32 paths the test above
// leaves out: a zero primal cotangent (BackwardTangent with gy = nil),
// VJPs, parameter gradients of a Train pass, a leading PReLU (slope
// gradient without an input gradient) and Identity layers, and Adam/AdamW
// steps. The float32 paths run the asm kernels, the float64 ones plain Go.
func TestFloat32MatchesFloat64Paths(t *testing.T) {
	type build func() []Layer[float64]
	s0 := NewStream(52, "init")
	for _, c := range []struct {
		name   string
		layers build
	}{
		{"prelu-first", func() []Layer[float64] {
			return []Layer[float64]{NewActivation[float64](PReLU, 3), NewLinear[float64](3, 37, true, s0),
				NewActivation[float64](PReLU, 37), NewLinear[float64](37, 2, true, s0), NewActivation[float64](Identity, 2)}
		}},
		{"leaky-bn", func() []Layer[float64] {
			return []Layer[float64]{NewLinear[float64](3, 37, true, s0), NewActivation[float64](LeakyReLU, 37),
				NewBatchNorm[float64](37), NewLinear[float64](37, 2, true, s0)}
		}},
		{"silu", func() []Layer[float64] {
			return []Layer[float64]{NewLinear[float64](3, 37, true, s0), NewActivation[float64](SiLU, 37), NewLinear[float64](37, 2, true, s0)}
		}},
		{"softplus-sigmoid", func() []Layer[float64] {
			return []Layer[float64]{NewLinear[float64](3, 37, true, s0), NewActivation[float64](Softplus, 37),
				NewLinear[float64](37, 2, true, s0), NewActivation[float64](Sigmoid, 2)}
		}},
		{"tanh-elu", func() []Layer[float64] {
			return []Layer[float64]{NewLinear[float64](3, 37, true, s0), NewActivation[float64](Tanh, 37),
				NewLinear[float64](37, 5, true, s0), NewActivation[float64](ELU, 5)}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewStream(53, c.name)
			n64, err := NewSequential(c.layers()...)
			if err != nil {
				t.Fatal(err)
			}
			randomizeState(n64, s)
			var l32 []Layer[float32]
			for _, l := range n64.Layers() {
				switch l := l.(type) {
				case *Linear[float64]:
					l32 = append(l32, NewLinear[float32](l.In(), l.Out(), true, nil))
				case *Activation[float64]:
					l32 = append(l32, NewActivation[float32](l.Act, l.In()))
				case *BatchNorm[float64]:
					l32 = append(l32, NewBatchNorm[float32](l.In()))
				}
			}
			n32, err := NewSequential(l32...)
			if err != nil {
				t.Fatal(err)
			}
			if err := CopyState(n32, n64); err != nil {
				t.Fatal(err)
			}
			const B, k = 9, 2
			in, out := n64.In(), n64.Out()
			x := randVec(s, B*in, -2, 2)
			v := randVec(s, k*B*in, -1, 1)
			gy := randVec(s, B*out, -1, 1)
			gyd := randVec(s, k*B*out, -1, 1)
			w64, w32 := n64.NewWorkspace(B, k), n32.NewWorkspace(B, k)
			const tol = 2e-5
			checkGrads := func(what string) {
				t.Helper()
				for i, p := range n64.Params() {
					fdcheck.Close(t, what+" grad "+p.Name, to64(n32.Params()[i].Grad), p.Grad, tol)
				}
				n64.ZeroGrad()
				n32.ZeroGrad()
			}

			// Zero primal cotangent: ∇_θ and ∇_x of a function of ẏ only.
			w64.ForwardTangent(x, v, k, Eval)
			w32.ForwardTangent(to32(x), to32(v), k, Eval)
			gx64, gv64 := w64.BackwardTangent(nil, gyd, GradParams|GradInput)
			gx32, gv32 := w32.BackwardTangent(nil, to32(gyd), GradParams|GradInput)
			fdcheck.Close(t, "gy=0 gx", to64(gx32), gx64, tol)
			fdcheck.Close(t, "gy=0 gv", to64(gv32), gv64, tol)
			checkGrads("gy=0")
			// Parameters only (a leading activation gets no input gradient).
			w64.BackwardTangent(gy, gyd, GradParams)
			w32.BackwardTangent(to32(gy), to32(gyd), GradParams)
			checkGrads("params-only")

			// VJPs at a primal point.
			w64.Forward(x, Eval)
			w32.Forward(to32(x), Eval)
			fdcheck.Close(t, "VJP", to64(w32.VJP(to32(gyd), k)), w64.VJP(gyd, k), tol)

			// A Train step: gradients, then Adam or AdamW from both.
			for step, cfg := range []AdamConfig{
				{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1},
				{LR: 1e-2, Beta1: 0.8, Beta2: 0.9, Eps: 1e-6, WeightDecay: 0.1, Decoupled: true},
			} {
				o64, o32 := NewAdam(n64.Params(), cfg), NewAdam(n32.Params(), cfg)
				for i := 0; i < 3; i++ {
					y64 := w64.Forward(x, Train)
					y32 := w32.Forward(to32(x), Train)
					fdcheck.Close(t, "train y", to64(y32), y64, tol)
					fdcheck.Close(t, "train gx", to64(w32.Backward(to32(gy), GradParams|GradInput)),
						w64.Backward(gy, GradParams|GradInput), tol)
					for j, p := range n64.Params() {
						fdcheck.Close(t, "train grad "+p.Name, to64(n32.Params()[j].Grad), p.Grad, tol)
						// Both optimizers see the same gradients: some are
						// rounding noise (a bias before BatchNorm), which
						// Adam's normalisation would amplify.
						copy(n32.Params()[j].Grad, to32(p.Grad))
					}
					o64.Step()
					o32.Step()
					n64.ZeroGrad()
					n32.ZeroGrad()
				}
				for j, p := range n64.Params() {
					fdcheck.Close(t, fmt.Sprintf("Adam config %d: %s", step, p.Name), to64(n32.Params()[j].Value), p.Value, tol)
				}
			}
		})
	}
}
