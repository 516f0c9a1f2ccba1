package nn

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
)

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	s := NewStream(1, "softmax")
	const B, K = 5, 7
	z := randVec(s, B*K, -3, 3)
	labels := []int{0, 6, 3, 3, 1}
	grad := make([]float64, B*K)
	SoftmaxCrossEntropy(z, K, labels, grad)
	fd := fdcheck.Grad(func() float64 { return SoftmaxCrossEntropy(z, K, labels, nil) }, 1e-5, z)
	if e := fdcheck.RelErr(grad, fd); e > fdTol {
		t.Errorf("gradient vs finite differences: relative error %.2g", e)
	}
	// Each row of the gradient sums to zero (softmax minus a one-hot, over B).
	for b := 0; b < B; b++ {
		var r float64
		for _, g := range grad[b*K : (b+1)*K] {
			r += g
		}
		if math.Abs(r) > 1e-15 {
			t.Errorf("row %d of the gradient sums to %g", b, r)
		}
	}
	// In place: grad may be the logits.
	in := append([]float64(nil), z...)
	l1 := SoftmaxCrossEntropy(in, K, labels, in)
	if l0 := SoftmaxCrossEntropy(z, K, labels, nil); l1 != l0 || fdcheck.RelErr(in, grad) != 0 {
		t.Errorf("in-place call differs: loss %v vs %v", l1, l0)
	}
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	// Equal logits: log K whatever the label and the offset.
	z := []float32{5, 5, 5, 5, -1e3, -1e3, -1e3, -1e3}
	if l := SoftmaxCrossEntropy(z, 4, []int{2, 0}, nil); math.Abs(l-math.Log(4)) > 1e-7 {
		t.Errorf("uniform logits: loss %v, want log 4 = %v", l, math.Log(4))
	}
	// Huge logits do not overflow: L = log(1 + e^−d) for a margin d.
	z = []float32{1e4, 1e4 - 2}
	if l, want := SoftmaxCrossEntropy(z, 2, []int{0}, nil), math.Log1p(math.Exp(-2)); math.Abs(l-want) > 1e-7 {
		t.Errorf("large logits: loss %v, want %v", l, want)
	}
	// float32 and float64 agree.
	s := NewStream(2, "softmax32")
	z64 := randVec(s, 6*10, -8, 8)
	z32 := make([]float32, len(z64))
	for i, v := range z64 {
		z32[i] = float32(v)
		z64[i] = float64(z32[i])
	}
	lab := []int{9, 0, 1, 5, 5, 2}
	g32, g64 := make([]float32, len(z32)), make([]float64, len(z64))
	l32, l64 := SoftmaxCrossEntropy(z32, 10, lab, g32), SoftmaxCrossEntropy(z64, 10, lab, g64)
	if math.Abs(l32-l64) > 1e-12*math.Abs(l64) {
		t.Errorf("float32 loss %v, float64 %v", l32, l64)
	}
	for i := range g32 {
		if math.Abs(float64(g32[i])-g64[i]) > 1e-7 {
			t.Fatalf("gradient %d: float32 %v, float64 %v", i, g32[i], g64[i])
		}
	}
	if n := testing.AllocsPerRun(10, func() { SoftmaxCrossEntropy(z32, 10, lab, g32) }); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

func TestSoftmax(t *testing.T) {
	z := []float64{0, math.Log(3), 1e3, 1e3, -1e300, 0}
	p := make([]float64, len(z))
	Softmax(z, 2, p)
	want := []float64{0.25, 0.75, 0.5, 0.5, 0, 1}
	for i := range p {
		if math.Abs(p[i]-want[i]) > 1e-15 {
			t.Errorf("p[%d] = %v, want %v", i, p[i], want[i])
		}
	}
	// In place, and consistent with the cross-entropy's gradient: the
	// softmax of a row is B·grad + onehot.
	s := NewStream(3, "softmax")
	x := randVec(s, 12, -4, 4)
	g := make([]float64, 12)
	SoftmaxCrossEntropy(x, 4, []int{1, 2, 3}, g)
	Softmax(x, 4, x)
	for i := range x {
		oh := 0.0
		if i%4 == 1+i/4 {
			oh = 1
		}
		if d := math.Abs(x[i] - (3*g[i] + oh)); d > 1e-15 {
			t.Errorf("softmax %d = %v, cross-entropy gradient gives %v", i, x[i], 3*g[i]+oh)
		}
	}
}
