package nn

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"gonum.org/v1/gonum/mat"
)

// TestHalfLogDet checks ½ log det(JᵀJ) against gonum on the explicit
// Jacobians, and its gradients with respect to the parameters and to z
// against finite differences (they involve second derivatives of the
// network).
func TestHalfLogDet(t *testing.T) {
	for _, c := range []struct {
		name string
		spec MLPSpec
	}{
		{"square-prelu-bn", MLPSpec{Widths: []int{2, 6, 5, 2}, Activation: "prelu", BatchNorm: true}},
		{"tall-silu", MLPSpec{Widths: []int{2, 5, 4}, Activation: "silu"}},
		{"tall-tanh-bn", MLPSpec{Widths: []int{3, 6, 5, 5}, Activation: "tanh", BatchNorm: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewStream(11, c.name)
			n := mustMLP(c.spec, s)
			randomizeState(n, s)
			const B = 4
			d, D := n.In(), n.Out()
			ws := n.NewWorkspace(B, d)
			z := randVec(s, B*d, -1.5, 1.5)
			wt := randVec(s, B, 0.5, 1.5)
			val := make([]float64, B)

			// Values against gonum on the explicit Jacobians.
			jac := make([]float64, B*D*d)
			ws.Jacobian(z, Eval, jac)
			n.ZeroGrad()
			gz, sing := ws.HalfLogDet(z, Eval, wt, val, GradParams|GradInput)
			if sing != 0 {
				t.Fatalf("%d singular samples", sing)
			}
			gz = append([]float64(nil), gz...)
			for b := 0; b < B; b++ {
				J := mat.NewDense(D, d, jac[b*D*d:(b+1)*D*d])
				var A mat.Dense
				A.Mul(J.T(), J)
				ld, sign := mat.LogDet(&A)
				if sign <= 0 || math.Abs(0.5*ld-val[b]) > 1e-12*math.Max(1, math.Abs(ld)) {
					t.Errorf("sample %d: ½ log det = %v, gonum %v (sign %v)", b, val[b], 0.5*ld, sign)
				}
			}

			L := func() float64 {
				ws2 := n.NewWorkspace(B, d)
				v := make([]float64, B)
				ws2.HalfLogDet(z, Eval, nil, v, 0)
				return dotF(wt, v)
			}
			fdcheck.Close(t, "∂/∂θ", grads(n), fdParams(n, L, fdH), fdTol)
			fdcheck.Close(t, "∂/∂z", gz, fdcheck.Grad(L, fdH, z), fdTol)

			// The exported helper gives the same values and cotangents.
			_, yd := ws.ForwardTangent(z, identity(B, d), d, Eval)
			v2 := make([]float64, B)
			gyd := make([]float64, len(yd))
			HalfLogDetJTJ(yd, B, D, d, wt, v2, gyd)
			fdcheck.Close(t, "HalfLogDetJTJ values", v2, val, 1e-15)
		})
	}
}

func identity(B, d int) []float64 {
	v := make([]float64, d*B*d)
	IdentityTangents(v, B, d)
	return v
}

func TestHalfLogDetSingular(t *testing.T) {
	// A rank-deficient Jacobian (both outputs equal) is reported, not NaN.
	const B, D, d = 2, 3, 2
	yd := make([]float64, d*B*D)
	for b := 0; b < B; b++ {
		for i := 0; i < D; i++ {
			yd[(0*B+b)*D+i] = float64(i + 1)
			yd[(1*B+b)*D+i] = float64(i+1) * float64(b+1) // sample 0: columns parallel
		}
	}
	yd[(1*B+1)*D+0] += 1 // sample 1: independent columns
	val := make([]float64, B)
	g := make([]float64, len(yd))
	if n := HalfLogDetJTJ(yd, B, D, d, nil, val, g); n != 1 {
		t.Fatalf("singular count %d, want 1", n)
	}
	if !math.IsInf(val[0], -1) || math.IsInf(val[1], 0) || math.IsNaN(val[1]) {
		t.Fatalf("values %v: want −Inf for the singular sample and a finite one otherwise", val)
	}
	for i := 0; i < D; i++ {
		for tt := 0; tt < d; tt++ {
			if g[(tt*B+0)*D+i] != 0 {
				t.Fatalf("singular sample has a nonzero cotangent")
			}
		}
	}
}
