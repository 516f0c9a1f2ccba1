package nn

// Two-phase form of HalfLogDet, for objectives that combine the generator's
// log-volume with a function of its output: the latent log-ratio
// f(z) = −E(G(z)) + ½‖z‖² + ½ log det(JᵀJ) of the bounds needs ∇_x E at
// y = G(z) as the output cotangent, known only after the forward pass.

// JacobianPass runs a tangent pass at the B×In batch z with the In unit
// tangents and returns y (B×Out) and ẏ ((In·B)×Out, tangent layout: row
// t·B + b is column t of J_b). The workspace needs MaxTangents ≥ In. Follow
// it with HalfLogDetBackward (or BackwardTangent).
func (ws *Workspace[T]) JacobianPass(z []T, mode Mode) (y, ydot []T) {
	return ws.forwardIdentity("JacobianPass", z, mode)
}

// HalfLogDetBackward completes a JacobianPass: it writes val_b =
// ½ log det(J_bᵀJ_b) (B values) and runs reverse mode for
//
//	L = Σ_b wt_b·val_b + Σ gy∘y
//
// (wt nil means all ones, gy nil means zero): with GradParams it
// accumulates ∂L/∂θ, with GradInput it returns ∂L/∂z (B×In). Samples whose
// JᵀJ is not positive definite get val = −Inf and no log-det gradient; it
// returns their count. HalfLogDet is the case gy = nil.
func (ws *Workspace[T]) HalfLogDetBackward(gy, wt, val []T, what Grad) (gz []T, singular int) {
	ws.mustBeReady("HalfLogDetBackward")
	B, d, D := ws.p.B, ws.net.In(), ws.net.Out()
	if ws.p.k != d {
		panic("nn: HalfLogDetBackward: the last pass was not a JacobianPass")
	}
	if D < d {
		panic("nn: HalfLogDetBackward: output width below input width")
	}
	checkLen("HalfLogDetBackward", "val", len(val), B)
	if wt != nil {
		checkLen("HalfLogDetBackward", "wt", len(wt), B)
	}
	if ws.ld == nil || ws.ld.d != d {
		ws.ld = newLogdetScratch(d)
	}
	singular = halfLogDetJTJ(ws.ld, ws.outputTangents(), B, D, d, wt, val, ws.gout[B*D:(1+d)*B*D])
	ws.p.kg = d
	ws.p.gZero = gy == nil
	if gy != nil {
		checkLen("HalfLogDetBackward", "gy", len(gy), B*D)
		copy(ws.gout, gy)
	}
	g := ws.backward(what)
	if g == nil {
		return nil, singular
	}
	return g[:B*d], singular
}
