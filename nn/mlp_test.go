package nn

import (
	"math"
	"strings"
	"testing"
)

// TestToyNetworks checks that the builder produces SPEC §5's toy energy and
// generator layer by layer, with torch's parameter names and counts.
func TestToyNetworks(t *testing.T) {
	s := NewStream(41, "init")
	e, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 100, 100, 1}, Activation: "prelu", OutputScale: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), "linear(2→100) prelu(100) linear(100→100) prelu(100) linear(100→1) scale(1)"; got != want {
		t.Errorf("energy: %s\nwant    %s", got, want)
	}
	// 2·100+100 + 1 + 100·100+100 + 1 + 100+1 + 1
	if got, want := e.NumParams(), 300+1+10100+1+101+1; got != want {
		t.Errorf("energy has %d parameters, want %d", got, want)
	}
	g, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 100, 100, 2}, Activation: "prelu", BatchNorm: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.String(), "linear(2→100) prelu(100) batchnorm(100) linear(100→100) prelu(100) batchnorm(100) linear(100→2)"; got != want {
		t.Errorf("generator: %s\nwant       %s", got, want)
	}
	var names []string
	for _, p := range g.Params() {
		names = append(names, p.Name)
	}
	for _, b := range g.Buffers() {
		names = append(names, b.Name)
	}
	want := "0.weight 0.bias 1.weight 2.weight 2.bias 3.weight 3.bias 4.weight 5.weight 5.bias 6.weight 6.bias " +
		"2.running_mean 2.running_var 5.running_mean 5.running_var"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("generator names:\n%s\nwant\n%s", got, want)
	}
	sn, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 100, 100, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sn.String(), "linear(2→100)+sn prelu(100) linear(100→100)+sn prelu(100) linear(100→1)+sn scale(1)"; got != want {
		t.Errorf("sn energy: %s", got)
	}
}

// TestLinearInit checks torch's default Linear init: W and b uniform in
// ±1/√in (kaiming_uniform with a = √5).
func TestLinearInit(t *testing.T) {
	s := NewStream(42, "init")
	l := NewLinear[float64](400, 300, true, s)
	bound := 1 / math.Sqrt(400)
	for _, p := range []*Param[float64]{l.W, l.B} {
		var mx, ss float64
		for _, v := range p.Value {
			mx = math.Max(mx, math.Abs(v))
			ss += v * v
		}
		if mx > bound || mx < 0.95*bound {
			t.Errorf("%s: max |value| %v, bound %v", p.Name, mx, bound)
		}
		// Uniform(±b) has variance b²/3.
		if v := ss / float64(len(p.Value)); math.Abs(v/(bound*bound/3)-1) > 0.1 {
			t.Errorf("%s: variance %v, want %v", p.Name, v, bound*bound/3)
		}
	}
	w := make([]float64, 100000)
	KaimingNormal(s, w, 50, 0)
	XavierUniform(s, w[:50000], 30, 70, 1)
	checkVar := func(x []float64, want float64, what string) {
		var ss float64
		for _, v := range x {
			ss += v * v
		}
		if got := ss / float64(len(x)); math.Abs(got/want-1) > 0.05 {
			t.Errorf("%s: variance %v, want %v", what, got, want)
		}
	}
	checkVar(w[50000:], 2.0/50, "KaimingNormal")
	checkVar(w[:50000], 2.0/100, "XavierUniform")
	XavierNormal(s, w, 30, 70, 2)
	checkVar(w, 4*2.0/100, "XavierNormal")
}

func TestBuildMLPErrors(t *testing.T) {
	for _, spec := range []MLPSpec{
		{Widths: []int{2, 10, 1}, Activation: "gelu"},
		{Widths: []int{2, 10, 1}, Activation: "relu", OutputActivation: "softmax"},
		{Widths: []int{2}, Activation: "relu"},
		{Widths: []int{2, 0, 1}, Activation: "relu"},
		{Widths: []int{2, 3, 1}, Activation: "leakyrelu", LeakySlope: -1},
	} {
		if n, err := BuildMLP[float32](spec, nil); err == nil || n != nil {
			t.Errorf("%+v: no error", spec)
		}
	}
	if _, err := ParseActivation("Swish"); err != nil {
		t.Errorf("Swish: %v", err)
	}
	_, err := NewSequential[float64](NewLinear[float64](2, 3, true, nil), NewLinear[float64](4, 1, true, nil))
	if err == nil || !strings.Contains(err.Error(), "width") {
		t.Errorf("width mismatch: %v", err)
	}
	l := NewLinear[float64](2, 2, true, nil)
	if _, err := NewSequential[float64](l, l); err == nil {
		t.Errorf("a repeated layer was accepted")
	}
	if _, err := NewSequential[float64](); err == nil {
		t.Errorf("an empty network was accepted")
	}
}

func TestLeakySlope(t *testing.T) {
	n, err := BuildMLP[float64](MLPSpec{Widths: []int{1, 1}, Activation: "leakyrelu", LeakySlope: 0.1, OutputActivation: "leakyrelu"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Layers()[0].(*Linear[float64]).W.Value[0] = 1
	y := n.NewWorkspace(1, 0).Forward([]float64{-2}, Eval)
	if math.Abs(y[0]+0.2) > 1e-15 {
		t.Errorf("leaky(−2) with slope 0.1 = %v", y[0])
	}
}
