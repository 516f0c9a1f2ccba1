package nn

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
)

// JacobianOperator presents the Jacobians J(z_b) = ∂G/∂z of a network G at
// a batch of points z_b as a linalg.BatchOperator, for the spectral solvers
// (randomized SVD, LOBPCG): Apply is a forward-mode tangent pass with k
// tangents per sample, ApplyT a batch of vector–Jacobian products, each one
// stacked pass whose Linear layers are single GEMMs over k·B rows.
//
// It owns two workspaces: one for the tangent passes and one that keeps the
// primal forward of SetPoint, so every ApplyT reuses it; the tangent passes
// after the first since SetPoint reuse the first one's primal rows and
// compute only their tangent rows. The network must not change between
// SetPoint and the products that follow. It allocates nothing after
// construction and is not safe for concurrent use.
type JacobianOperator[T asm.Float] struct {
	jvp, vjp *Workspace[T]
	z        []T
	b        int
	mode     Mode
	primed   bool // jvp holds a tangent pass at z
}

// NewJacobianOperator returns an operator over the Jacobians of n for
// batches of at most maxBatch points and products with at most maxVectors
// vectors per point.
func NewJacobianOperator[T asm.Float](n *Network[T], maxBatch, maxVectors int) *JacobianOperator[T] {
	if maxVectors < 1 {
		panic(fmt.Sprintf("nn: NewJacobianOperator: maxVectors = %d, need ≥ 1", maxVectors))
	}
	return &JacobianOperator[T]{
		jvp: n.NewWorkspace(maxBatch, maxVectors),
		vjp: n.NewWorkspace(maxBatch, maxVectors),
		z:   make([]T, maxBatch*n.In()),
	}
}

// SetPoint makes the operator the Jacobians at the B×In batch z in the given
// mode (Eval for networks with BatchNorm, as SPEC §5 prescribes) and returns
// y = G(z), a view valid until the next SetPoint.
func (o *JacobianOperator[T]) SetPoint(z []T, mode Mode) []T {
	B := o.vjp.batch("JacobianOperator.SetPoint", z)
	o.b = B
	o.mode = mode
	o.primed = false
	copy(o.z, z)
	return o.vjp.Forward(z, mode)
}

// Shape implements linalg.BatchOperator: the batch of the last SetPoint and
// the network's Out×In.
func (o *JacobianOperator[T]) Shape() (batch, rows, cols int) {
	return o.b, o.jvp.net.Out(), o.jvp.net.In()
}

// Apply implements linalg.BatchOperator: out = J_b V_b for the k tangents
// per point in v ((k·B)×In, tangent layout); out is (k·B)×Out.
func (o *JacobianOperator[T]) Apply(v []T, k int, out []T) {
	B, D, d := o.Shape()
	if len(v) < k*B*d || len(out) < k*B*D {
		panic(fmt.Sprintf("nn: JacobianOperator.Apply: lengths %d, %d for k = %d, B = %d", len(v), len(out), k, B))
	}
	var yd []T
	if o.primed {
		yd = o.jvp.forwardTangentAgain(v[:k*B*d], k)
	} else {
		_, yd = o.jvp.ForwardTangent(o.z[:B*d], v[:k*B*d], k, o.mode)
		o.primed = true
	}
	copy(out[:k*B*D], yd)
}

// ApplyT implements linalg.BatchOperator: out = J_bᵀ W_b for the k
// cotangents per point in w ((k·B)×Out); out is (k·B)×In.
func (o *JacobianOperator[T]) ApplyT(w []T, k int, out []T) {
	B, D, d := o.Shape()
	if len(w) < k*B*D || len(out) < k*B*d {
		panic(fmt.Sprintf("nn: JacobianOperator.ApplyT: lengths %d, %d for k = %d, B = %d", len(w), len(out), k, B))
	}
	if k == 0 {
		return
	}
	copy(out[:k*B*d], o.vjp.VJP(w[:k*B*D], k))
}
