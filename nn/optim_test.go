package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"github.com/ebmcpu/ebmcpu/linalg"
)

func testParams(s *Stream, sizes ...int) []*Param[float64] {
	var ps []*Param[float64]
	for i, n := range sizes {
		p := newParam[float64]("p"+string(rune('a'+i)), n)
		Uniform(s, p.Value, -1, 1)
		ps = append(ps, p)
	}
	return ps
}

// TestAdamFirstStep: after one bias-corrected step m̂ = g and v̂ = g², so
// every parameter moves by lr·g/(|g| + eps).
func TestAdamFirstStep(t *testing.T) {
	s := NewStream(61, "adam")
	ps := testParams(s, 5, 3)
	cfg := AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-3}
	before := append(append([]float64(nil), ps[0].Value...), ps[1].Value...)
	var g []float64
	for _, p := range ps {
		Uniform(s, p.Grad, -2, 2)
		g = append(g, p.Grad...)
	}
	NewAdam(ps, cfg).Step()
	after := append(append([]float64(nil), ps[0].Value...), ps[1].Value...)
	for i := range g {
		want := before[i] - cfg.LR*g[i]/(math.Abs(g[i])+cfg.Eps)
		if math.Abs(after[i]-want) > 1e-15 {
			t.Fatalf("param %d: %v, want %v", i, after[i], want)
		}
	}
}

// TestAdamWeightDecay: Adam's L2 decay is the same as adding wd·p to the
// gradient; AdamW's decoupled decay shrinks p by (1 − lr·wd) and leaves the
// moments alone (with a zero gradient, p only shrinks).
func TestAdamWeightDecay(t *testing.T) {
	s := NewStream(62, "adamw")
	a, b := testParams(s, 6), testParams(NewStream(62, "adamw"), 6)
	const wd = 0.1
	oa := NewAdam(a, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: wd})
	ob := NewAdam(b, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8})
	for step := 0; step < 5; step++ {
		Uniform(s, a[0].Grad, -1, 1)
		for i := range b[0].Grad {
			b[0].Grad[i] = a[0].Grad[i] + wd*b[0].Value[i]
		}
		oa.Step()
		ob.Step()
	}
	fdcheck.Close(t, "L2 decay = gradient term", a[0].Value, b[0].Value, 1e-15)

	c := testParams(s, 4)
	before := append([]float64(nil), c[0].Value...)
	ow := NewAdam(c, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: wd, Decoupled: true})
	ow.Step()
	ow.Step()
	for i, v := range before {
		if want := v * (1 - 0.01*wd) * (1 - 0.01*wd); math.Abs(c[0].Value[i]-want) > 1e-16 {
			t.Fatalf("AdamW with zero gradient: %v, want %v", c[0].Value[i], want)
		}
	}
}

// TestSGDMomentum: with a constant gradient g, torch's momentum buffer after t
// steps is g·Σ_{i<t} μⁱ (dampening 0), and Nesterov adds μ·buffer.
func TestSGDMomentum(t *testing.T) {
	for _, nesterov := range []bool{false, true} {
		s := NewStream(63, "sgd")
		ps := testParams(s, 4)
		x0 := append([]float64(nil), ps[0].Value...)
		const lr, mu = 0.1, 0.9
		o := NewSGD(ps, SGDConfig{LR: lr, Momentum: mu, Nesterov: nesterov})
		g := []float64{1, -2, 0.5, 3}
		want := append([]float64(nil), x0...)
		buf := 0.0
		for step := 0; step < 4; step++ {
			copy(ps[0].Grad, g)
			o.Step()
			buf = mu*buf + 1
			d := buf
			if nesterov {
				d = 1 + mu*buf
			}
			for i := range want {
				want[i] -= lr * d * g[i]
			}
		}
		fdcheck.Close(t, "SGD momentum", ps[0].Value, want, 1e-14)
	}
}

func TestAdamConverges(t *testing.T) {
	// Minimise ½‖p − c‖² from a random start.
	s := NewStream(64, "adam-quad")
	ps := testParams(s, 10)
	c := randVec(s, 10, -3, 3)
	o := NewAdam(ps, AdamConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	for i := 0; i < 2000; i++ {
		for j, v := range ps[0].Value {
			ps[0].Grad[j] = v - c[j]
		}
		o.Step()
	}
	fdcheck.Close(t, "Adam minimum", ps[0].Value, c, 1e-4)
}

func TestClipGradNorm(t *testing.T) {
	s := NewStream(65, "clip")
	ps := testParams(s, 3, 4)
	Uniform(s, ps[0].Grad, -5, 5)
	Uniform(s, ps[1].Grad, -5, 5)
	var n2 float64
	for _, p := range ps {
		for _, g := range p.Grad {
			n2 += g * g
		}
	}
	if got := ClipGradNorm(ps, 1e9); math.Abs(got-math.Sqrt(n2)) > 1e-12 {
		t.Fatalf("norm %v, want %v", got, math.Sqrt(n2))
	}
	ClipGradNorm(ps, 0.5)
	var after float64
	for _, p := range ps {
		for _, g := range p.Grad {
			after += g * g
		}
	}
	if math.Abs(math.Sqrt(after)-0.5) > 1e-6 {
		t.Errorf("clipped norm %v, want 0.5", math.Sqrt(after))
	}
	ps[0].Grad[0] = math.Inf(1)
	if n := ClipGradNorm(ps, 1); !math.IsInf(n, 1) || ps[1].Grad[0] == 0 {
		t.Errorf("non-finite norm: got %v and modified gradients", n)
	}
}

// TestOptimizerState: an optimizer restored mid-run continues bit for bit;
// states for other parameter lists are rejected and leave it unchanged.
func TestOptimizerState(t *testing.T) {
	for _, kind := range []string{"adam", "sgd"} {
		mk := func(ps []*Param[float64]) Optimizer {
			if kind == "adam" {
				return NewAdam(ps, AdamConfig{LR: 0.01, Beta1: 0.5, Beta2: 0.9, Eps: 1e-6, WeightDecay: 0.01, Decoupled: true})
			}
			return NewSGD(ps, SGDConfig{LR: 0.01, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01, Nesterov: true})
		}
		s := NewStream(66, kind)
		a := testParams(s, 5, 2)
		oa := mk(a)
		gs := randVec(s, 7*6, -1, 1)
		step := func(ps []*Param[float64], o Optimizer, i int) {
			copy(ps[0].Grad, gs[i*7:i*7+5])
			copy(ps[1].Grad, gs[i*7+5:i*7+7])
			o.Step()
		}
		for i := 0; i < 3; i++ {
			step(a, oa, i)
		}
		st, err := oa.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b := testParams(NewStream(0, "other"), 5, 2)
		copy(b[0].Value, a[0].Value)
		copy(b[1].Value, a[1].Value)
		ob := mk(b)
		if kind == "adam" {
			ob.(*Adam[float64]).Config = AdamConfig{}
		} else {
			ob.(*SGD[float64]).Config = SGDConfig{}
		}
		for i, p := range b {
			p.Name = a[i].Name
		}
		if err := ob.UnmarshalBinary(st); err != nil {
			t.Fatal(err)
		}
		if ob.Steps() != 3 {
			t.Errorf("%s: restored step %d", kind, ob.Steps())
		}
		for i := 3; i < 6; i++ {
			step(a, oa, i)
			step(b, ob, i)
		}
		if !equalBits(a[0].Value, b[0].Value) || !equalBits(a[1].Value, b[1].Value) {
			t.Errorf("%s: restored optimizer diverges", kind)
		}

		wrong := mk(testParams(s, 5, 3))
		if err := wrong.UnmarshalBinary(st); err == nil {
			t.Errorf("%s: state for other sizes accepted", kind)
		}
		if wrong.Steps() != 0 {
			t.Errorf("%s: failed restore changed the optimizer", kind)
		}
		if err := mk(a).UnmarshalBinary(st[:len(st)-1]); err == nil {
			t.Errorf("%s: truncated state accepted", kind)
		}
	}
}

// TestAdamWorkersAgree: a step split over several goroutines gives the same
// bits as one goroutine, in both precisions, and the split covers every
// element (parameters of assorted sizes, including empty and tiny ones).
func TestAdamWorkersAgree(t *testing.T) {
	defer linalg.SetWorkers(linalg.Workers())
	testAdamWorkersAgree[float32](t)
	testAdamWorkersAgree[float64](t)
}

func testAdamWorkersAgree[T asm.Float](t *testing.T) {
	sizes := []int{3, 0, parallelMin + 5, 1, 2*parallelMin - 7, 17}
	mk := func() []*Param[T] {
		s := NewStream(81, "adam-workers")
		var ps []*Param[T]
		for i, n := range sizes {
			p := newParam[T](fmt.Sprint("p", i), max(n, 1))
			p.Value, p.Grad = p.Value[:n], p.Grad[:n]
			Normal(s, p.Value)
			Normal(s, p.Grad)
			ps = append(ps, p)
		}
		return ps
	}
	var results [][]T
	for _, workers := range []int{1, 2, 3} {
		linalg.SetWorkers(workers)
		ps := mk()
		o := NewAdam(ps, AdamConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.01})
		for i := 0; i < 3; i++ {
			o.Step()
		}
		var all []T
		for _, p := range ps {
			all = append(all, p.Value...)
		}
		results = append(results, all)
	}
	for i, v := range results[0] {
		for w := 1; w < len(results); w++ {
			if results[w][i] != v {
				t.Fatalf("%T: element %d: %v with %d workers, %v with 1", v, i, results[w][i], w+1, v)
			}
		}
	}
	ref := mk()
	off := 0
	for _, p := range ref {
		for j, v := range p.Value {
			if results[0][off+j] == v {
				t.Fatalf("%T: %s[%d] not updated", v, p.Name, j)
			}
		}
		off += len(p.Value)
	}
}
