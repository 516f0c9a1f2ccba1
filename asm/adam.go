package asm

import "math"

// AdamCoef holds the scalars of one Adam or AdamW step (see Sadam). The
// caller folds the step count into StepSize and InvBc2.
type AdamCoef struct {
	Beta1, Beta2 float32 // moment decay rates β₁, β₂
	StepSize     float32 // lr/(1 − β₁ᵗ)
	InvBc2       float32 // 1/√(1 − β₂ᵗ)
	Eps          float32
	// WeightDecay adds WeightDecay·w to the gradient (Adam's L2 term);
	// 0 adds nothing, not even to an infinite w.
	WeightDecay float32
	// Decay multiplies the parameters before anything else (AdamW's
	// decoupled decay, 1 − lr·wd); 1 leaves them unchanged.
	Decay float32
}

// Sadam applies one Adam update to the parameters w in place, from the
// gradients g and the first and second moments m and v (updated in place),
// for i < len(w), in torch.optim.Adam's order of operations:
//
//	w ← Decay·w
//	g ← g + WeightDecay·w                      (if WeightDecay ≠ 0)
//	m ← β₁m + (1−β₁)g                           (one FMA after β₁m)
//	v ← β₂v + ((1−β₂)g)·g                       (one FMA after β₂v)
//	w ← w − (StepSize·m)/(√v·InvBc2 + Eps)      (the denominator one FMA)
//
// g itself is not modified. Every tier performs the same roundings, so
// tiers agree to within an ulp (the twin emulates FMA in float64, which
// double-rounds in rare cases).
func Sadam(w, g, m, v []float32, c AdamCoef) {
	checkLen("Sadam", len(w), len(g), len(m), len(v))
	n := len(w)
	k.sadam(w, g[:n], m[:n], v[:n], c.Beta1, 1-c.Beta1, c.Beta2, 1-c.Beta2,
		c.StepSize, c.InvBc2, c.Eps, c.WeightDecay, c.Decay)
}

// sadamGeneric is the twin of the Sadam kernels; c1 = 1−b1 and c2 = 1−b2.
func sadamGeneric(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i, wi := range w {
		wi *= decay
		gi := g[i]
		if wd != 0 {
			gi = fma32(wd, wi, gi)
		}
		mi := fma32(gi, c1, m[i]*b1)
		vi := fma32(c2*gi, gi, v[i]*b2)
		m[i], v[i] = mi, vi
		d := fma32(float32(math.Sqrt(float64(vi))), invBc2, eps)
		w[i] = wi - stepSize*mi/d
	}
}
