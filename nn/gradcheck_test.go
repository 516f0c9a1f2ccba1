package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
)

// Every derivative the package computes is checked here against central
// finite differences in float64, on small networks that contain each layer
// type, with every parameter and buffer at a generic value.

type netCase struct {
	name  string
	build func(s *Stream) *Network[float64]
}

func mustNet(layers ...Layer[float64]) *Network[float64] {
	n, err := NewSequential(layers...)
	if err != nil {
		panic(err)
	}
	return n
}

func mustMLP(spec MLPSpec, s *Stream) *Network[float64] {
	n, err := BuildMLP[float64](spec, s)
	if err != nil {
		panic(err)
	}
	return n
}

func gradCases() []netCase {
	var cs []netCase
	for k := Identity; k <= ELU; k++ {
		cs = append(cs, netCase{"act-" + k.String(), func(s *Stream) *Network[float64] {
			return mustNet(NewLinear[float64](3, 4, true, s), NewActivation[float64](k, 4), NewLinear[float64](4, 2, true, s))
		}})
	}
	cs = append(cs,
		netCase{"batchnorm-eval", func(s *Stream) *Network[float64] {
			return mustNet(NewLinear[float64](3, 5, true, s), NewActivation[float64](SiLU, 5), NewBatchNorm[float64](5), NewLinear[float64](5, 2, true, s))
		}},
		netCase{"spectral-norm", func(s *Stream) *Network[float64] {
			return mustNet(NewLinear[float64](3, 4, true, s).WithSpectralNorm(s), NewActivation[float64](Tanh, 4),
				NewLinear[float64](4, 2, false, s).WithSpectralNorm(s))
		}},
		netCase{"scale", func(s *Stream) *Network[float64] {
			return mustNet(NewLinear[float64](3, 4, true, s), NewActivation[float64](Softplus, 4), NewLinear[float64](4, 1, true, s), NewScale[float64](1, s))
		}},
		netCase{"toy-energy", func(s *Stream) *Network[float64] {
			return mustMLP(MLPSpec{Widths: []int{3, 6, 5, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, s)
		}},
		netCase{"toy-generator", func(s *Stream) *Network[float64] {
			return mustMLP(MLPSpec{Widths: []int{3, 6, 5, 4}, Activation: "prelu", BatchNorm: true}, s)
		}},
		netCase{"smooth-deep", func(s *Stream) *Network[float64] {
			return mustMLP(MLPSpec{Widths: []int{3, 5, 5, 4, 2}, Activation: "elu", BatchNorm: true, OutputActivation: "sigmoid"}, s)
		}},
		// Layers wider than 8 take linalg's blocked GEMM for gW (narrower
		// ones its small-n path), with and without spectral norm.
		netCase{"wide-prelu", func(s *Stream) *Network[float64] {
			return mustMLP(MLPSpec{Widths: []int{3, 10, 9, 2}, Activation: "prelu"}, s)
		}},
		netCase{"wide-spectral", func(s *Stream) *Network[float64] {
			return mustNet(NewLinear[float64](3, 10, true, s).WithSpectralNorm(s), NewActivation[float64](Tanh, 10),
				NewLinear[float64](10, 9, true, s).WithSpectralNorm(s), NewActivation[float64](SiLU, 9), NewLinear[float64](9, 2, true, s))
		}},
	)
	cs = append(cs, hsnCases()...)    // the HalfSquaredNorm head of the bounds' quadratic energy
	return append(cs, convCases()...) // convolutions, conv_test.go
}

const (
	gcB = 3 // samples
	gcK = 2 // tangents per sample
)

type gcData struct {
	n                 *Network[float64]
	ws                *Workspace[float64]
	x, v, alpha, beta []float64
	in, out, B, k     int
}

func newGCData(c netCase, seed uint64) *gcData {
	s := NewStream(seed, c.name)
	n := c.build(s)
	randomizeState(n, s)
	d := &gcData{n: n, in: n.In(), out: n.Out(), B: gcB, k: gcK}
	d.ws = n.NewWorkspace(gcB, gcK)
	d.x = randVec(s, gcB*d.in, -1.5, 1.5)
	d.v = randVec(s, gcK*gcB*d.in, -1, 1)
	d.alpha = randVec(s, gcB*d.out, -1, 1)
	d.beta = randVec(s, gcK*gcB*d.out, -1, 1)
	return d
}

// loss is Σα∘y + Σβ∘ẏ of a tangent pass; any scalar function of the
// outputs reduces to this form through its gradient.
func (d *gcData) loss(useAlpha, useBeta bool) func() float64 {
	return func() float64 {
		y, yd := d.ws.ForwardTangent(d.x, d.v, d.k, Eval)
		var l float64
		if useAlpha {
			l += dotF(d.alpha, y)
		}
		if useBeta {
			l += dotF(d.beta, yd)
		}
		return l
	}
}

func TestGradForwardBackward(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			d := newGCData(c, 1)
			L := func() float64 { return dotF(d.alpha, d.ws.Forward(d.x, Eval)) }
			d.n.ZeroGrad()
			d.ws.Forward(d.x, Eval)
			gx := append([]float64(nil), d.ws.Backward(d.alpha, GradParams|GradInput)...)
			gp := grads(d.n)
			fdcheck.Close(t, "dL/dθ", gp, fdParams(d.n, L, fdH), fdTol)
			fdcheck.Close(t, "dL/dx", gx, fdcheck.Grad(L, fdH, d.x), fdTol)

			// Each flag alone gives the same numbers.
			d.n.ZeroGrad()
			d.ws.Forward(d.x, Eval)
			if g := d.ws.Backward(d.alpha, GradParams); g != nil {
				t.Errorf("Backward(GradParams) returned an input gradient")
			}
			fdcheck.Close(t, "dL/dθ params only", grads(d.n), gp, 1e-14)
			d.n.ZeroGrad()
			fdcheck.Close(t, "dL/dx input only", d.ws.Backward(d.alpha, GradInput), gx, 1e-14)
			for _, g := range grads(d.n) {
				if g != 0 {
					t.Fatalf("Backward(GradInput) touched a parameter gradient")
				}
			}
		})
	}
}

func TestGradForwardTangent(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			d := newGCData(c, 2)
			y0, yd := d.ws.ForwardTangent(d.x, d.v, d.k, Eval)
			y0 = append([]float64(nil), y0...)
			yd = append([]float64(nil), yd...)
			fw := d.n.NewWorkspace(d.B, 0)
			fdcheck.Close(t, "primal y", y0, fw.Forward(d.x, Eval), 1e-15)
			F := func(x []float64) []float64 { return fw.Forward(x, Eval) }
			for tt := 0; tt < d.k; tt++ {
				vt := d.v[tt*d.B*d.in : (tt+1)*d.B*d.in]
				fdcheck.Close(t, fmt.Sprintf("ẏ tangent %d", tt), yd[tt*d.B*d.out:(tt+1)*d.B*d.out], fdcheck.JVP(F, d.x, vt, fdH), fdTol)
			}
		})
	}
}

func TestGradBackwardTangent(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			d := newGCData(c, 3)
			for _, variant := range []struct {
				name        string
				alpha, beta bool
			}{{"gy+gẏ", true, true}, {"gẏ only (gy nil)", false, true}, {"gy only (gẏ nil)", true, false}} {
				L := d.loss(variant.alpha, variant.beta)
				var gy, gyd []float64
				if variant.alpha {
					gy = d.alpha
				}
				if variant.beta {
					gyd = d.beta
				}
				d.n.ZeroGrad()
				d.ws.ForwardTangent(d.x, d.v, d.k, Eval)
				gx, gv := d.ws.BackwardTangent(gy, gyd, GradParams|GradInput)
				gx = append([]float64(nil), gx...)
				gv = append([]float64(nil), gv...)
				gp := grads(d.n)
				fdcheck.Close(t, variant.name+": dL/dθ", gp, fdParams(d.n, L, fdH), fdTol)
				fdcheck.Close(t, variant.name+": dL/dx", gx, fdcheck.Grad(L, fdH, d.x), fdTol)
				fdcheck.Close(t, variant.name+": dL/dv", gv, fdcheck.Grad(L, fdH, d.v), fdTol)

				d.n.ZeroGrad()
				d.ws.ForwardTangent(d.x, d.v, d.k, Eval)
				if a, b := d.ws.BackwardTangent(gy, gyd, GradParams); a != nil || b != nil {
					t.Errorf("BackwardTangent(GradParams) returned input gradients")
				}
				fdcheck.Close(t, variant.name+": params only", grads(d.n), gp, 1e-14)

				if !variant.beta {
					// Backward after a tangent pass ignores the tangents.
					d.n.ZeroGrad()
					d.ws.ForwardTangent(d.x, d.v, d.k, Eval)
					fdcheck.Close(t, "Backward after ForwardTangent: dL/dx", d.ws.Backward(gy, GradParams|GradInput), gx, 1e-14)
					fdcheck.Close(t, "Backward after ForwardTangent: dL/dθ", grads(d.n), gp, 1e-14)
				}
			}
		})
	}
}

// TestGradVJP checks Jᵀw for k cotangents against the transposed FD Jacobian.
func TestGradVJP(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			d := newGCData(c, 4)
			w := d.beta // (k·B)×Out cotangents
			d.ws.Forward(d.x, Eval)
			got := append([]float64(nil), d.ws.VJP(w, d.k)...)
			// Σ_t w_t·J v_t over all tangent rows is linear in v; its FD
			// gradient with respect to v is Jᵀw.
			fw := d.n.NewWorkspace(d.B, d.k)
			L := func() float64 { _, yd := fw.ForwardTangent(d.x, d.v, d.k, Eval); return dotF(w, yd) }
			fdcheck.Close(t, "Jᵀw", got, fdcheck.Grad(L, fdH, d.v), fdTol)
		})
	}
}

func TestGradBatchNormTrain(t *testing.T) {
	s := NewStream(5, "bn-train")
	n := mustNet(NewLinear[float64](3, 4, true, s), NewActivation[float64](Tanh, 4), NewBatchNorm[float64](4), NewLinear[float64](4, 2, true, s))
	randomizeState(n, s)
	const B = 5
	ws := n.NewWorkspace(B, 0)
	x := randVec(s, B*3, -1.5, 1.5)
	alpha := randVec(s, B*2, -1, 1)
	L := func() float64 { return dotF(alpha, ws.Forward(x, Train)) }
	n.ZeroGrad()
	ws.Forward(x, Train)
	gx := append([]float64(nil), ws.Backward(alpha, GradParams|GradInput)...)
	fdcheck.Close(t, "train dL/dθ", grads(n), fdParams(n, L, fdH), fdTol)
	fdcheck.Close(t, "train dL/dx", gx, fdcheck.Grad(L, fdH, x), fdTol)
}

func TestGradJacobian(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			d := newGCData(c, 6)
			ws := d.n.NewWorkspace(d.B, d.in)
			jac := make([]float64, d.B*d.out*d.in)
			y := ws.Jacobian(d.x, Eval, jac)
			fw := d.n.NewWorkspace(d.B, 0)
			fdcheck.Close(t, "y", y, fw.Forward(d.x, Eval), 1e-15)
			F := func(x []float64) []float64 { return fw.Forward(x, Eval) }
			for j := 0; j < d.in; j++ {
				e := make([]float64, d.B*d.in)
				for b := 0; b < d.B; b++ {
					e[b*d.in+j] = 1
				}
				col := fdcheck.JVP(F, d.x, e, fdH) // column j of every sample's Jacobian
				got := make([]float64, d.B*d.out)
				for b := 0; b < d.B; b++ {
					for i := 0; i < d.out; i++ {
						got[b*d.out+i] = jac[b*d.out*d.in+i*d.in+j]
					}
				}
				fdcheck.Close(t, fmt.Sprintf("Jacobian column %d", j), got, col, fdTol)
			}
		})
	}
}

// TestScore checks the energy helpers against the general passes: Score is
// the input gradient of Σ E, ScoreDot is Score·w, and its BackwardTangent
// gives ∇_θ of L(a) with w held fixed (FD on a = ∇_x E·w).
func TestScore(t *testing.T) {
	s := NewStream(8, "score")
	n := mustMLP(MLPSpec{Widths: []int{3, 6, 5, 1}, Activation: "silu", SpectralNorm: true, OutputScale: true}, s)
	const B = 4
	ws := n.NewWorkspace(B, 1)
	x := randVec(s, B*3, -1, 1)
	w := randVec(s, B*3, -1, 1)
	ga := randVec(s, B, -1, 1)
	ones := []float64{1, 1, 1, 1}
	ws.Forward(x, Eval)
	want := append([]float64(nil), ws.Backward(ones, GradInput)...)
	e, g := ws.Score(x, Eval)
	fdcheck.Close(t, "score", g, want, 1e-15)
	fdcheck.Close(t, "energies", e, n.NewWorkspace(B, 0).Forward(x, Eval), 1e-15)
	g = append([]float64(nil), g...)
	_, a := ws.ScoreDot(x, w, Eval)
	for b := 0; b < B; b++ {
		if d := dotF(g[b*3:b*3+3], w[b*3:b*3+3]); math.Abs(a[b]-d) > 1e-14 {
			t.Errorf("sample %d: ∇E·w = %v, want %v", b, a[b], d)
		}
	}
	n.ZeroGrad()
	ws.BackwardTangent(nil, ga, GradParams)
	L := func() float64 {
		_, a := n.NewWorkspace(B, 1).ScoreDot(x, w, Eval)
		return dotF(ga, a)
	}
	fdcheck.Close(t, "∇_θ(∇E·w)", grads(n), fdParams(n, L, fdH), fdTol)
}
