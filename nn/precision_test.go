package nn

import (
	"math"
	"testing"
)

func to64[T Float](x []T) []float64 {
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
			checkClose(t, "y", to64(y32), y64, tol)
			checkClose(t, "ẏ", to64(yd32), yd64, tol)
			n64.ZeroGrad()
			n32.ZeroGrad()
			gx64, gv64 := w64.BackwardTangent(gy, gyd, GradParams|GradInput)
			gx32, gv32 := w32.BackwardTangent(to32(gy), to32(gyd), GradParams|GradInput)
			checkClose(t, "gx", to64(gx32), gx64, tol)
			checkClose(t, "gv", to64(gv32), gv64, tol)
			for i, p := range n64.Params() {
				checkClose(t, "grad "+p.Name, to64(n32.Params()[i].Grad), p.Grad, tol)
			}

			// A Train pass (batch statistics, power iteration) in both.
			y64 = w64.Forward(x, Train)
			y32 = w32.Forward(to32(x), Train)
			checkClose(t, "train y", to64(y32), y64, tol)
			gx64 = w64.Backward(gy, GradInput)
			gx32 = w32.Backward(to32(gy), GradInput)
			checkClose(t, "train gx", to64(gx32), gx64, tol)
			for i, b := range n64.Buffers() {
				checkClose(t, "buffer "+b.Name, to64(n32.Buffers()[i].Value), b.Value, tol)
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
