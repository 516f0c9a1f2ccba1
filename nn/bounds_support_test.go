package nn

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// Tests of the pieces the bounds package builds on: the HalfSquaredNorm
// head, the two-phase log-det pass and the Jacobian operator.

func hsnCases() []netCase {
	return []netCase{
		{"hsn-quadratic", func(s *Stream) *Network[float64] {
			h := NewHalfSquaredNorm[float64](3)
			h.C.Value[0] = 0.7
			return mustNet(NewLinear[float64](3, 3, true, s), h)
		}},
		{"hsn-deep", func(s *Stream) *Network[float64] {
			h := NewHalfSquaredNorm[float64](4)
			h.C.Value[0] = -0.3
			return mustNet(NewLinear[float64](3, 5, true, s), NewActivation[float64](Tanh, 5), NewLinear[float64](5, 4, true, s), h, NewScale[float64](1, s))
		}},
	}
}

func TestHalfSquaredNormValue(t *testing.T) {
	s := NewStream(1, "hsn-value")
	const D, B = 3, 4
	lin := NewLinear[float64](D, D, true, nil)
	Uniform(s, lin.W.Value, -1, 1)
	mu := randVec(s, D, -1, 1)
	// b = −Lμ, so E = ½(x−μ)ᵀLᵀL(x−μ) + c.
	for i := 0; i < D; i++ {
		lin.B.Value[i] = -dotF(lin.W.Value[i*D:(i+1)*D], mu)
	}
	h := NewHalfSquaredNorm[float64](D)
	h.C.Value[0] = 1.25
	n := mustNet(lin, h)
	x := randVec(s, B*D, -2, 2)
	e := n.NewWorkspace(B, 0).Forward(x, Eval)
	for b := 0; b < B; b++ {
		var q float64
		for i := 0; i < D; i++ {
			var li float64
			for j := 0; j < D; j++ {
				li += lin.W.Value[i*D+j] * (x[b*D+j] - mu[j])
			}
			q += li * li
		}
		if want := q/2 + 1.25; math.Abs(e[b]-want) > 1e-13 {
			t.Errorf("sample %d: E = %v, want %v", b, e[b], want)
		}
	}
	if n.String() != "linear(3→3) halfsqnorm(3→1)" || n.Params()[2].Name != "1.bias" {
		t.Errorf("network %q, param %q", n.String(), n.Params()[2].Name)
	}
}

// TestHalfLogDetBackward checks the two-phase log-det pass with an output
// cotangent: L = Σ wt·½ log det(JᵀJ) + Σ gy∘G(z).
func TestHalfLogDetBackward(t *testing.T) {
	s := NewStream(22, "ldb")
	n := mustMLP(MLPSpec{Widths: []int{2, 6, 5, 3}, Activation: "silu", BatchNorm: true}, s)
	randomizeState(n, s)
	const B = 4
	d, D := n.In(), n.Out()
	ws := n.NewWorkspace(B, d)
	z := randVec(s, B*d, -1.5, 1.5)
	wt := randVec(s, B, 0.5, 1.5)
	gy := randVec(s, B*D, -1, 1)
	val := make([]float64, B)
	L := func() float64 {
		w := n.NewWorkspace(B, d)
		v := make([]float64, B)
		w.HalfLogDet(z, Eval, nil, v, 0)
		return dotF(wt, v) + dotF(gy, w.Forward(z, Eval))
	}
	n.ZeroGrad()
	y, _ := ws.JacobianPass(z, Eval)
	fdcheck.Close(t, "y", y, n.NewWorkspace(B, 0).Forward(z, Eval), 1e-15)
	gz, sing := ws.HalfLogDetBackward(gy, wt, val, GradParams|GradInput)
	if sing != 0 {
		t.Fatalf("%d singular samples", sing)
	}
	gz = append([]float64(nil), gz...)
	fdcheck.Close(t, "∂/∂θ", grads(n), fdParams(n, L, fdH), fdTol)
	fdcheck.Close(t, "∂/∂z", gz, fdcheck.Grad(L, fdH, z), fdTol)
	ref := make([]float64, B)
	n.NewWorkspace(B, d).HalfLogDet(z, Eval, nil, ref, 0)
	fdcheck.Close(t, "val", val, ref, 1e-15)
}

// TestJacobianOperator compares Apply and ApplyT with products of the
// explicit Jacobians, and checks that it satisfies linalg.BatchOperator.
func TestJacobianOperator(t *testing.T) {
	s := NewStream(23, "jacop")
	n := mustMLP(MLPSpec{Widths: []int{3, 6, 4}, Activation: "tanh", BatchNorm: true}, s)
	randomizeState(n, s)
	const B, k = 5, 2
	d, D := n.In(), n.Out()
	var op linalg.BatchOperator[float64] = NewJacobianOperator(n, B, 3)
	jo := op.(*JacobianOperator[float64])
	z := randVec(s, B*d, -1, 1)
	y := jo.SetPoint(z, Eval)
	fdcheck.Close(t, "y", y, n.NewWorkspace(B, 0).Forward(z, Eval), 1e-15)
	if b, r, c := op.Shape(); b != B || r != D || c != d {
		t.Fatalf("Shape = %d, %d, %d", b, r, c)
	}
	jac := make([]float64, B*D*d)
	n.NewWorkspace(B, d).Jacobian(z, Eval, jac)
	dense := linalg.NewDenseOperator(B, D, d, jac)
	v := randVec(s, k*B*d, -1, 1)
	w := randVec(s, k*B*D, -1, 1)
	got, want := make([]float64, k*B*D), make([]float64, k*B*D)
	op.Apply(v, k, got)
	dense.Apply(v, k, want)
	fdcheck.Close(t, "J v", got, want, 1e-14)
	gotT, wantT := make([]float64, k*B*d), make([]float64, k*B*d)
	for rep := 0; rep < 2; rep++ { // ApplyT reuses the primal pass
		op.ApplyT(w, k, gotT)
		dense.ApplyT(w, k, wantT)
		fdcheck.Close(t, "Jᵀw", gotT, wantT, 1e-14)
		op.Apply(v, k, got) // a tangent pass in between must not disturb it
	}
	if a := testing.AllocsPerRun(10, func() { op.Apply(v, k, got); op.ApplyT(w, k, gotT) }); a != 0 {
		t.Errorf("%v allocations per Apply+ApplyT", a)
	}
}
