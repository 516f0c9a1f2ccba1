package nn

import "github.com/ebmcpu/ebmcpu/asm"

// Convenience passes for the bounds: the energy score, its directional
// derivative, generator JVPs/VJPs, full Jacobians and ½ log det(JᵀJ). All run
// on a workspace and allocate nothing in steady state.

// Score evaluates a scalar network (Out = 1) on the B×In batch x and returns
// the energies e (B) and the scores ∇_x E (B×In), one row per sample.
// Parameter gradients are not touched.
func (ws *Workspace[T]) Score(x []T, mode Mode) (e, grad []T) {
	if ws.net.Out() != 1 {
		panic("nn: Score: the network's output width is not 1")
	}
	e = ws.Forward(x, mode)
	ws.p.kg = 0
	ws.p.gZero = false
	vfill(ws.gout[:ws.p.B], 1)
	g := ws.backward(GradInput)
	return e, g[:ws.p.B*ws.net.In()]
}

// ScoreDot evaluates a scalar network on x with one tangent w per sample
// (both B×In) and returns the energies e and the directional derivatives
// a = ∇_x E(x)·w (B each). A following BackwardTangent(nil, ∂L/∂a,
// GradParams) gives ∇_θ of L(a) with w held fixed.
func (ws *Workspace[T]) ScoreDot(x, w []T, mode Mode) (e, a []T) {
	if ws.net.Out() != 1 {
		panic("nn: ScoreDot: the network's output width is not 1")
	}
	return ws.ForwardTangent(x, w, 1, mode)
}

// JVP returns y = G(z) and J(z)·v for k tangents per sample; it is
// ForwardTangent under the generator's name.
func (ws *Workspace[T]) JVP(z, v []T, k int, mode Mode) (y, jv []T) {
	return ws.ForwardTangent(z, v, k, mode)
}

// VJPAt runs a forward pass at z and returns y = G(z) and Jᵀw for k
// cotangents per sample (w is (k·B)×Out, the result (k·B)×In).
func (ws *Workspace[T]) VJPAt(z, w []T, k int, mode Mode) (y, jtw []T) {
	y = ws.Forward(z, mode)
	return y, ws.VJP(w, k)
}

// IdentityTangents fills v ((d·B)×d) with the d unit tangents per sample:
// tangent t of every sample is e_t.
func IdentityTangents[T asm.Float](v []T, B, d int) {
	checkLen("IdentityTangents", "v", len(v), d*B*d)
	clear(v)
	for t := 0; t < d; t++ {
		for b := 0; b < B; b++ {
			v[(t*B+b)*d+t] = 1
		}
	}
}

// forwardIdentity runs a tangent pass at x with the In unit tangents.
func (ws *Workspace[T]) forwardIdentity(name string, x []T, mode Mode) (y, ydot []T) {
	B := ws.batch(name, x)
	d := ws.net.In()
	ws.checkK(name, d)
	ws.p = pass{B: B, k: d, mode: mode}
	copy(ws.acts[0], x)
	IdentityTangents(ws.acts[0][B*d:(1+d)*B*d], B, d)
	ws.run()
	return ws.output(), ws.outputTangents()
}

// Jacobian writes the per-sample Jacobians of the network at the B×In batch
// x into jac: B row-major Out×In matrices, jac[b·Out·In + i·In + j] =
// ∂y_i/∂x_j of sample b. It runs one tangent pass with k = In unit tangents,
// so the workspace needs MaxTangents ≥ In. It returns y.
func (ws *Workspace[T]) Jacobian(x []T, mode Mode, jac []T) []T {
	y, yd := ws.forwardIdentity("Jacobian", x, mode)
	B, d, D := ws.p.B, ws.net.In(), ws.net.Out()
	checkLen("Jacobian", "jac", len(jac), B*D*d)
	TangentsToJacobians(jac, yd, B, D, d)
	return y
}

// TangentsToJacobians rearranges the d unit-tangent outputs ydot
// ((d·B)×D, tangent layout) into B row-major D×d Jacobians.
func TangentsToJacobians[T asm.Float](jac, ydot []T, B, D, d int) {
	for b := 0; b < B; b++ {
		jb := jac[b*D*d : (b+1)*D*d]
		for t := 0; t < d; t++ {
			row := ydot[(t*B+b)*D : (t*B+b+1)*D]
			for i, v := range row {
				jb[i*d+t] = v
			}
		}
	}
}

// HalfLogDet evaluates ½ log det(J(z)ᵀJ(z)) per sample for a network with
// In = d ≤ Out = D (the generator's log-volume term), writing it to val (B),
// and runs reverse mode for L = Σ_b wt_b·val_b (wt nil means all ones):
// with GradParams it accumulates ∂L/∂θ, with GradInput it returns ∂L/∂z
// (B×d). It uses k = d unit tangents (MaxTangents ≥ d) and the closed form
// ∂(½ log det JᵀJ)/∂J = J(JᵀJ)⁻¹ (HalfLogDetJTJ), so it is meant for small d.
// Samples whose JᵀJ is not positive definite get val = −Inf and no gradient.
// It returns the number of such samples.
func (ws *Workspace[T]) HalfLogDet(z []T, mode Mode, wt, val []T, what Grad) (gz []T, singular int) {
	_, yd := ws.forwardIdentity("HalfLogDet", z, mode)
	B, d, D := ws.p.B, ws.net.In(), ws.net.Out()
	if D < d {
		panic("nn: HalfLogDet: output width below input width")
	}
	checkLen("HalfLogDet", "val", len(val), B)
	if wt != nil {
		checkLen("HalfLogDet", "wt", len(wt), B)
	}
	if ws.ld == nil || ws.ld.d != d {
		ws.ld = newLogdetScratch(d)
	}
	gyd := ws.gout[B*D : (1+d)*B*D]
	singular = halfLogDetJTJ(ws.ld, yd, B, D, d, wt, val, gyd)
	ws.p.kg = d
	ws.p.gZero = true
	g := ws.backward(what)
	if g == nil {
		return nil, singular
	}
	return g[:B*d], singular
}
