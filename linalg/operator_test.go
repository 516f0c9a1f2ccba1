package linalg

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
)

// TestOperatorDenseLayout checks Apply and ApplyT of DenseOperator against
// per-vector products in the tangent layout (vector t of operator b is row
// t·B+b), and the adjoint identity ⟨Jv, w⟩ = ⟨v, Jᵀw⟩.
func TestOperatorDenseLayout(t *testing.T) {
	testOperatorDenseLayout[float64](t, 1e-12)
	testOperatorDenseLayout[float32](t, 1e-5)
}

func testOperatorDenseLayout[T asm.Float](t *testing.T, tol float64) {
	rng := spRand(2)
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 4}, {4, 2, 7}, {2, 9, 9}} {
		B, D, d := sz[0], sz[1], sz[2]
		data := make([]float64, B*D*d)
		spNormals(rng, data)
		op := NewDenseOperator(B, D, d, spToT[T](data))
		for round, k := range []int{0, 1, 3, 0, 1, 3} {
			if round == 3 {
				op.KeepTranspose() // second round: Apply through Jᵀ
			}
			v := make([]float64, k*B*d)
			w := make([]float64, k*B*D)
			spNormals(rng, v)
			spNormals(rng, w)
			jv := make([]T, k*B*D)
			jtw := make([]T, k*B*d)
			op.Apply(spToT[T](v), k, jv)
			op.ApplyT(spToT[T](w), k, jtw)
			for b := 0; b < B; b++ {
				jb := data[b*D*d : (b+1)*D*d]
				for tt := 0; tt < k; tt++ {
					vt := v[(tt*B+b)*d : (tt*B+b+1)*d]
					wt := w[(tt*B+b)*D : (tt*B+b+1)*D]
					want, wantT := spMatVec(jb, D, d, vt), spMatTVec(jb, D, d, wt)
					got, gotT := tangentRow(jv, tt, b, B, D), tangentRow(jtw, tt, b, B, d)
					for i := range want {
						if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
							t.Fatalf("B=%d D=%d d=%d k=%d: Apply[%d,%d][%d] = %g, want %g", B, D, d, k, tt, b, i, got[i], want[i])
						}
					}
					for i := range wantT {
						if math.Abs(gotT[i]-wantT[i]) > tol*(1+math.Abs(wantT[i])) {
							t.Fatalf("B=%d D=%d d=%d k=%d: ApplyT[%d,%d][%d] = %g, want %g", B, D, d, k, tt, b, i, gotT[i], wantT[i])
						}
					}
					if a, c := asm.Dot(got, wt), asm.Dot(vt, gotT); math.Abs(a-c) > 10*tol*(1+math.Abs(a)) {
						t.Fatalf("adjoint mismatch: ⟨Jv,w⟩ = %g, ⟨v,Jᵀw⟩ = %g", a, c)
					}
				}
			}
		}
	}
}

// TestOperatorJacobiansForm checks that one Apply with identity tangents
// recovers the explicit matrices.
func TestOperatorJacobiansForm(t *testing.T) {
	rng := spRand(3)
	B, D, d := 3, 6, 4
	data := make([]float64, B*D*d)
	spNormals(rng, data)
	var jac Jacobians[float64]
	jac.Form(NewDenseOperator(B, D, d, data))
	if jac.Batch != B || jac.Rows != D || jac.Cols != d {
		t.Fatalf("shape %d %d %d", jac.Batch, jac.Rows, jac.Cols)
	}
	if !spSameBits(jac.Data, data) {
		t.Fatal("Jacobians.Form does not reproduce the matrices")
	}
}

func TestOperatorPanicsOnShortTangents(t *testing.T) {
	op := NewDenseOperator(2, 3, 4, make([]float64, 24))
	for name, f := range map[string]func(){
		"short v":   func() { op.Apply(make([]float64, 7), 1, make([]float64, 6)) },
		"short out": func() { op.Apply(make([]float64, 8), 1, make([]float64, 5)) },
		"short w":   func() { op.ApplyT(make([]float64, 5), 1, make([]float64, 8)) },
		"bad data":  func() { NewDenseOperator(2, 3, 4, make([]float64, 23)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
