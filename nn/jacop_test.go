package nn

import (
	"math"
	"testing"
)

// The tangent passes of a JacobianOperator after its first since SetPoint
// compute only the tangent rows, from the first pass's primal rows: their
// products must have exactly the bits of a full tangent pass, for every
// layer kind, with more or fewer tangents than the first pass.
func TestJacobianOperatorReusesPrimalExactly(t *testing.T) {
	for _, c := range gradCases() {
		s := NewStream(21, c.name)
		n := c.build(s)
		randomizeState(n, s)
		const B = 4
		d, D := n.In(), n.Out()
		op := NewJacobianOperator(n, B, 3)
		fresh := n.NewWorkspace(B, 3)
		for rep, z := range [][]float64{randVec(s, B*d, -1.5, 1.5), randVec(s, B*d, -1, 1)} {
			op.SetPoint(z, Eval)
			for i, k := range []int{2, 1, 3, 2} {
				v := randVec(s, k*B*d, -1, 1)
				got := make([]float64, k*B*D)
				op.Apply(v, k, got)
				_, want := fresh.ForwardTangent(z, v, k, Eval)
				for j := range got {
					if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
						t.Fatalf("%s point %d, product %d (k=%d): element %d = %v, want %v", c.name, rep, i, k, j, got[j], want[j])
					}
				}
			}
		}
	}
}
