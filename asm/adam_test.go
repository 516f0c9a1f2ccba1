package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// adamCases are coefficient sets of real steps: Adam at steps 1 and 1000,
// Adam with an L2 term, AdamW, and eps = 0 (so v = 0 divides by zero).
func adamCases() []AdamCoef {
	coef := func(lr, b1, b2, eps, wd float64, decoupled bool, t float64) AdamCoef {
		c := AdamCoef{
			Beta1: float32(b1), Beta2: float32(b2), Eps: float32(eps),
			StepSize: float32(lr / (1 - math.Pow(b1, t))),
			InvBc2:   float32(1 / math.Sqrt(1-math.Pow(b2, t))),
			Decay:    1,
		}
		if decoupled {
			c.Decay = float32(1 - lr*wd)
		} else {
			c.WeightDecay = float32(wd)
		}
		return c
	}
	return []AdamCoef{
		coef(1e-3, 0.9, 0.999, 1e-8, 0, false, 1),
		coef(1e-3, 0.9, 0.999, 1e-8, 0, false, 1000),
		coef(2e-4, 0.5, 0.9, 1e-6, 0.1, false, 7),
		coef(1e-2, 0.9, 0.99, 1e-8, 0.05, true, 3),
		coef(1e-3, 0.9, 0.999, 0, 0, false, 2),
	}
}

// ulpDiff is the distance in float32 steps between a and b (0 for two NaNs).
func ulpDiff(a, b float32) int64 {
	if a != a && b != b {
		return 0
	}
	if a != a || b != b {
		return math.MaxInt64
	}
	ia, ib := int64(int32(math.Float32bits(a))), int64(int32(math.Float32bits(b)))
	if ia < 0 {
		ia = math.MinInt32 - ia
	}
	if ib < 0 {
		ib = math.MinInt32 - ib
	}
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

func TestAdamMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(31, uint64(tier)))
		var differ, total int64
		for ci, c := range adamCases() {
			lengthsAndOffsets(func(n, off int) {
				w := newGuarded[float32](n, off, 3)
				g := newGuarded[float32](n, (off+1)%4, -5)
				m := newGuarded[float32](n, (off+2)%4, 7)
				v := newGuarded[float32](n, (off+3)%4, 9)
				randomFill(rng, w.view())
				randomFill(rng, g.view())
				randomFill(rng, m.view())
				for i := range v.view() {
					v.view()[i] = float32(rng.Float64() * rng.Float64())
					if rng.IntN(13) == 0 {
						v.view()[i] = 0
					}
				}
				g0 := append([]float32(nil), g.view()...)
				ww := append([]float32(nil), w.view()...)
				wm := append([]float32(nil), m.view()...)
				wv := append([]float32(nil), v.view()...)
				sadamGeneric(ww, g0, wm, wv, c.Beta1, 1-c.Beta1, c.Beta2, 1-c.Beta2,
					c.StepSize, c.InvBc2, c.Eps, c.WeightDecay, c.Decay)
				Sadam(w.view(), g.view(), m.view(), v.view(), c)
				for _, gv := range []guarded[float32]{w, g, m, v} {
					gv.check(t, "Sadam")
				}
				sameSlice(t, "Sadam g (unchanged)", n, off, g.view(), g0)
				for i := 0; i < n; i++ {
					dw, dm, dv := ulpDiff(w.view()[i], ww[i]), ulpDiff(m.view()[i], wm[i]), ulpDiff(v.view()[i], wv[i])
					// The twin's emulated FMA double-rounds now and then;
					// an ulp off in m or v moves w by about an ulp of the step.
					if dw > 2 || dm > 1 || dv > 1 {
						t.Fatalf("case %d n=%d off=%d [%d]: w, m, v = %v %v %v, twin %v %v %v",
							ci, n, off, i, w.view()[i], m.view()[i], v.view()[i], ww[i], wm[i], wv[i])
					}
					total++
					if dw+dm+dv != 0 {
						differ++
					}
				}
			})
		}
		if differ*1000 > total {
			t.Errorf("%d of %d updates differ from the twin", differ, total)
		}
		t.Logf("%d of %d updates differ from the twin", differ, total)
	})
}

// TestAdamTwinMatchesFloat64 checks the twin (and so every tier) against
// the update evaluated in float64 from the same inputs.
func TestAdamTwinMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 33))
	for ci, c := range adamCases() {
		if c.Eps == 0 {
			continue // the zero-v lanes divide by zero
		}
		const n = 4096
		w, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		randomFill(rng, w)
		randomFill(rng, g)
		randomFill(rng, m)
		for i := range v {
			v[i] = float32(rng.Float64())
		}
		w0, m0, v0 := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
		sadamGeneric(w, g, m, v, c.Beta1, 1-c.Beta1, c.Beta2, 1-c.Beta2, c.StepSize, c.InvBc2, c.Eps, c.WeightDecay, c.Decay)
		b1, b2 := float64(c.Beta1), float64(c.Beta2)
		for i := range w {
			wi := float64(w0[i]) * float64(c.Decay)
			gi := float64(g[i]) + float64(c.WeightDecay)*wi
			mi := b1*float64(m0[i]) + (1-b1)*gi
			vi := b2*float64(v0[i]) + (1-b2)*gi*gi
			denom := math.Sqrt(vi)*float64(c.InvBc2) + float64(c.Eps)
			step := float64(c.StepSize) * mi / denom
			// Error scales: the terms' magnitudes, as m may cancel.
			mScale := b1*math.Abs(float64(m0[i])) + (1-b1)*math.Abs(gi)
			wScale := math.Abs(wi) + float64(c.StepSize)*mScale/denom
			if !closeTo(float64(m[i]), mi, 1e-6, mScale) ||
				!closeTo(float64(v[i]), vi, 1e-6, vi) ||
				!closeTo(float64(w[i]), wi-step, 1e-6, wScale) {
				t.Fatalf("case %d [%d]: w, m, v = %v %v %v, float64 %v %v %v", ci, i, w[i], m[i], v[i], wi-step, mi, vi)
			}
		}
	}
}

// TestAdamWeightDecayZeroAddsNothing: with wd = 0 an infinite parameter
// leaves the moments finite (0·Inf would be NaN), and wd = −0 counts as 0.
func TestAdamWeightDecayZeroAddsNothing(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		for _, wd := range []float32{0, float32(math.Copysign(0, -1))} {
			for _, n := range []int{1, 7, 16, 37} {
				w := make([]float32, n)
				g := make([]float32, n)
				m := make([]float32, n)
				v := make([]float32, n)
				for i := range w {
					w[i] = float32(math.Inf(1 - 2*(i%2)))
					g[i] = 0.5
				}
				Sadam(w, g, m, v, AdamCoef{Beta1: 0.9, Beta2: 0.999, StepSize: 1e-3, InvBc2: 1, Eps: 1e-8, WeightDecay: wd, Decay: 1})
				for i := range w {
					if math.Abs(float64(m[i])-0.05) > 1e-7 || math.IsNaN(float64(v[i])) || !math.IsInf(float64(w[i]), 0) {
						t.Fatalf("wd=%v n=%d [%d]: w, m, v = %v %v %v", wd, n, i, w[i], m[i], v[i])
					}
				}
			}
		}
	})
}
