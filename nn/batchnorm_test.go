package nn

import (
	"math"
	"testing"
)

// TestBatchNormTrainEval checks torch's BatchNorm1d semantics: Train
// normalises with the batch mean and biased variance and moves the running
// statistics by momentum 0.1 towards the batch mean and unbiased variance;
// Eval normalises with the running statistics and changes nothing.
func TestBatchNormTrainEval(t *testing.T) {
	const B, n = 6, 3
	s := NewStream(31, "bn")
	bn := NewBatchNorm[float64](n)
	Uniform(s, bn.Gamma.Value, 0.5, 2)
	Uniform(s, bn.Beta.Value, -1, 1)
	net := mustNet(bn)
	ws := net.NewWorkspace(B, 1)
	x := randVec(s, B*n, -3, 5)

	mean, vb := make([]float64, n), make([]float64, n)
	for j := 0; j < n; j++ {
		for b := 0; b < B; b++ {
			mean[j] += x[b*n+j] / B
		}
		for b := 0; b < B; b++ {
			d := x[b*n+j] - mean[j]
			vb[j] += d * d / B
		}
	}
	rm0 := append([]float64(nil), bn.Mean.Value...)
	rv0 := append([]float64(nil), bn.Var.Value...)
	y := ws.Forward(x, Train)
	for j := 0; j < n; j++ {
		for b := 0; b < B; b++ {
			want := bn.Gamma.Value[j]*(x[b*n+j]-mean[j])/math.Sqrt(vb[j]+1e-5) + bn.Beta.Value[j]
			if math.Abs(y[b*n+j]-want) > 1e-12 {
				t.Fatalf("train y[%d,%d] = %v, want %v", b, j, y[b*n+j], want)
			}
		}
		wm := 0.9*rm0[j] + 0.1*mean[j]
		wv := 0.9*rv0[j] + 0.1*vb[j]*B/(B-1)
		if math.Abs(bn.Mean.Value[j]-wm) > 1e-14 || math.Abs(bn.Var.Value[j]-wv) > 1e-14 {
			t.Fatalf("running stats (%v, %v), want (%v, %v)", bn.Mean.Value[j], bn.Var.Value[j], wm, wv)
		}
	}

	rm := append([]float64(nil), bn.Mean.Value...)
	rv := append([]float64(nil), bn.Var.Value...)
	y = ws.Forward(x, Eval)
	for j := 0; j < n; j++ {
		for b := 0; b < B; b++ {
			want := bn.Gamma.Value[j]*(x[b*n+j]-rm[j])/math.Sqrt(rv[j]+1e-5) + bn.Beta.Value[j]
			if math.Abs(y[b*n+j]-want) > 1e-12 {
				t.Fatalf("eval y[%d,%d] = %v, want %v", b, j, y[b*n+j], want)
			}
		}
	}
	if !equalBits(rm, bn.Mean.Value) || !equalBits(rv, bn.Var.Value) {
		t.Fatalf("an Eval pass changed the running statistics")
	}

	// Repeated Train passes on one batch drive the running statistics to
	// the batch mean and unbiased variance.
	for i := 0; i < 400; i++ {
		ws.Forward(x, Train)
	}
	for j := 0; j < n; j++ {
		if math.Abs(bn.Mean.Value[j]-mean[j]) > 1e-12 || math.Abs(bn.Var.Value[j]-vb[j]*B/(B-1)) > 1e-12 {
			t.Fatalf("running stats did not converge: (%v, %v) vs (%v, %v)", bn.Mean.Value[j], bn.Var.Value[j], mean[j], vb[j]*B/(B-1))
		}
	}
}

func TestBatchNormTrainMisuse(t *testing.T) {
	net := mustNet(NewBatchNorm[float64](2))
	ws := net.NewWorkspace(4, 1)
	mustPanic(t, "train tangent", func() { ws.ForwardTangent(make([]float64, 8), make([]float64, 8), 1, Train) })
	mustPanic(t, "train B=1", func() { ws.Forward(make([]float64, 2), Train) })
	ws.Forward(make([]float64, 8), Train)
	mustPanic(t, "train VJP", func() { ws.VJP(make([]float64, 8), 1) })
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}
