package nn

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"gonum.org/v1/gonum/mat"
)

func largestSingularValue(w []float64, out, in int) float64 {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(out, in, w), mat.SVDNone) {
		panic("SVD failed")
	}
	return svd.Values(nil)[0]
}

// TestSpectralNormSigma runs Train passes and checks that σ converges to the
// largest singular value (gonum SVD) and that W/σ then has spectral norm 1.
func TestSpectralNormSigma(t *testing.T) {
	for _, shape := range [][2]int{{7, 5}, {3, 9}, {20, 20}} {
		out, in := shape[0], shape[1]
		s := NewStream(21, "sn")
		l := NewLinear[float64](in, out, true, s).WithSpectralNorm(s)
		n := mustNet(l)
		ws := n.NewWorkspace(2, 0)
		x := randVec(s, 2*in, -1, 1)
		want := largestSingularValue(l.W.Value, out, in)
		for i := 0; i < 500; i++ {
			ws.Forward(x, Train)
		}
		if got := l.SpectralNorm(); math.Abs(got-want) > 1e-9*want {
			t.Errorf("%dx%d: σ = %.15g after 500 train passes, SVD says %.15g", out, in, got, want)
		}
		// The workspace's effective weight is W/σ with unit spectral norm.
		weff := ws.runs[0].(*linearRun[float64]).sn.weff
		if got := largestSingularValue(weff, out, in); math.Abs(got-1) > 1e-9 {
			t.Errorf("%dx%d: ‖W/σ‖₂ = %v, want 1", out, in, got)
		}
	}
}

// TestSpectralNormIteration checks torch's schedule: a Train pass advances
// the power iteration exactly one step, an Eval pass not at all, and
// PowerIterate(n) matches n Train passes.
func TestSpectralNormIteration(t *testing.T) {
	s := NewStream(22, "sn-iter")
	l := NewLinear[float64](4, 6, true, s).WithSpectralNorm(s)
	n := mustNet(l)
	ws := n.NewWorkspace(1, 0)
	x := []float64{0.1, -0.2, 0.3, 0.4}

	u0 := append([]float64(nil), l.U.Value...)
	ws.Forward(x, Eval)
	if !equalBits(u0, l.U.Value) {
		t.Fatalf("an Eval pass moved u")
	}
	// One step by hand: v = normalize(Wᵀu), u = normalize(Wv).
	W := mat.NewDense(6, 4, l.W.Value)
	var v, u mat.VecDense
	v.MulVec(W.T(), mat.NewVecDense(6, u0))
	v.ScaleVec(1/mat.Norm(&v, 2), &v)
	u.MulVec(W, &v)
	u.ScaleVec(1/mat.Norm(&u, 2), &u)
	ws.Forward(x, Train)
	fdcheck.Close(t, "u after one train pass", l.U.Value, u.RawVector().Data, 1e-14)
	fdcheck.Close(t, "v after one train pass", l.V.Value, v.RawVector().Data, 1e-14)

	twin := NewLinear[float64](4, 6, true, NewStream(22, "sn-iter")).WithSpectralNorm(nil)
	copy(twin.W.Value, l.W.Value)
	copy(twin.U.Value, l.U.Value)
	copy(twin.V.Value, l.V.Value)
	for i := 0; i < 3; i++ {
		ws.Forward(x, Train)
	}
	twin.PowerIterate(3)
	if !equalBits(twin.U.Value, l.U.Value) || !equalBits(twin.V.Value, l.V.Value) {
		t.Errorf("PowerIterate(3) differs from 3 train passes")
	}
}

// TestSpectralNormSnapshot: the backward of a pass uses the u, v and σ of its
// own forward, even if another Train pass has moved the iteration since, and
// a Train pass's gradient equals the Eval gradient at the same u, v (u and v
// are constants for the gradient).
func TestSpectralNormSnapshot(t *testing.T) {
	s := NewStream(23, "sn-snap")
	n := mustMLP(MLPSpec{Widths: []int{3, 5, 1}, Activation: "silu", SpectralNorm: true}, s)
	const B = 4
	x := randVec(s, B*3, -1, 1)
	gy := randVec(s, B, -1, 1)
	ws1, ws2 := n.NewWorkspace(B, 0), n.NewWorkspace(B, 0)

	n.ZeroGrad()
	ws1.Forward(x, Train)
	ws1.Backward(gy, GradParams)
	want := grads(n)

	// Now the buffers hold the iterated u, v: an Eval pass at them gives
	// the same gradient.
	n.ZeroGrad()
	ws2.Forward(x, Eval)
	ws2.Backward(gy, GradParams)
	fdcheck.Close(t, "eval gradient at the same u, v", grads(n), want, 1e-14)

	// Replay: train pass on ws1, a second train pass on ws2 moves u, v,
	// then ws1's backward must still give its own gradient.
	n.ZeroGrad()
	ws2.Forward(x, Train) // moves u, v again
	ws1.Backward(gy, GradParams)
	fdcheck.Close(t, "backward after another train pass", grads(n), want, 1e-14)
}

func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
