package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulpTally counts results that differ from the twin: the tiers perform the
// twin's operations, so only the twin's emulated FMA (double rounding) may
// make them differ, by an ulp and rarely.
type ulpTally struct{ differ, total int64 }

func (u *ulpTally) add(t *testing.T, what string, n, i int, got, want float32) {
	t.Helper()
	d := ulpDiff(got, want)
	if d > 1 {
		t.Fatalf("%s n=%d [%d] = %v, twin %v", what, n, i, got, want)
	}
	u.total++
	if d != 0 {
		u.differ++
	}
}

func (u *ulpTally) check(t *testing.T, what string) {
	t.Helper()
	if u.differ*1000 > u.total {
		t.Errorf("%s: %d of %d results differ from the twin", what, u.differ, u.total)
	}
}

func TestFmaMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(41, uint64(tier)))
		var u ulpTally
		lengthsAndOffsets(func(n, off int) {
			a := newGuarded[float32](n, off, 1)
			b := newGuarded[float32](n, (off+1)%4, 2)
			c := newGuarded[float32](n, (off+2)%4, 3)
			d := newGuarded[float32](n, (off+3)%4, -7)
			randomFill(rng, a.view())
			randomFill(rng, b.view())
			randomFill(rng, c.view())
			want := make([]float32, n)
			sfmaGeneric(want, a.view(), b.view(), c.view())
			Sfma(d.view(), a.view(), b.view(), c.view())
			d.check(t, "Sfma")
			for i := range want {
				u.add(t, "Sfma", n, i, d.view()[i], want[i])
				// One rounding: within half an ulp of the exact value.
				exact := float64(a.view()[i])*float64(b.view()[i]) + float64(c.view()[i])
				if math.Abs(float64(d.view()[i])-exact) > 0x1p-24*math.Abs(exact) {
					t.Fatalf("Sfma n=%d [%d] = %v, exact %v", n, i, d.view()[i], exact)
				}
			}
			// In place on c: d += a∘b.
			Sfma(c.view(), a.view(), b.view(), c.view())
			c.check(t, "Sfma in place")
			sameSlice(t, "Sfma in place", n, off, c.view(), d.view())
		})
		u.check(t, "Sfma")
	})
}

// maskedRef is Σ a·b over !(x > 0) in float64, with the sum of |a·b| for
// the error bound.
func maskedRef(x, a, b []float32) (sum, abs float64) {
	for i, v := range x {
		if !(v > 0) {
			p := float64(a[i]) * float64(b[i])
			sum += p
			abs += math.Abs(p)
		}
	}
	return sum, abs
}

func TestMaskedDot(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(42, uint64(tier)))
		lengthsAndOffsets(func(n, off int) {
			x, a, b := make([]float32, n+off), make([]float32, n+off), make([]float32, n)
			x, a = x[off:], a[off:]
			randomFill(rng, x)
			randomFill(rng, a)
			randomFill(rng, b)
			got := SmaskedDot(x, a, b)
			want, abs := maskedRef(x, a, b)
			if !closeTo(float64(got), want, sumTol(n, 0x1p-24), abs) {
				t.Fatalf("n=%d off=%d: SmaskedDot = %v, want %v", n, off, got, want)
			}
		})
		// A NaN x counts on the x ≤ 0 side; a huge b where x > 0 adds nothing.
		for _, n := range []int{1, 9, 17, 70} {
			x, a, b := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range x {
				x[i], a[i], b[i] = 1, 1, float32(math.Inf(1))
			}
			if got := SmaskedDot(x, a, b); got != 0 {
				t.Fatalf("n=%d: x > 0 everywhere gave %v", n, got)
			}
			x[n-1], b[n-1] = float32(math.NaN()), 2
			if got := SmaskedDot(x, a, b); got != 2 {
				t.Fatalf("n=%d: NaN x gave %v, want 2", n, got)
			}
		}
	})
}

func TestLeakyReLUBackwardDot(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(43, uint64(tier)))
		for _, slope := range []float32{0, 0.01, 0.25, -1.5} {
			lengthsAndOffsets(func(n, off int) {
				x := make([]float32, n)
				dy := newGuarded[float32](n, off, 5)
				z := make([]float32, n)
				dx := newGuarded[float32](n, (off+1)%4, -5)
				randomFill(rng, x)
				randomFill(rng, dy.view())
				randomFill(rng, z)
				want := make([]float32, n)
				sleakyReLUBackwardDotGeneric(want, x, dy.view(), z, slope)
				got := SleakyReLUBackwardDot(dx.view(), x, dy.view(), z, slope)
				dx.check(t, "SleakyReLUBackwardDot")
				sameSlice(t, "SleakyReLUBackwardDot dx", n, off, dx.view(), want)
				ref, abs := maskedRef(x, dy.view(), z)
				if !closeTo(float64(got), ref, sumTol(n, 0x1p-24), abs) {
					t.Fatalf("slope=%v n=%d: sum %v, want %v", slope, n, got, ref)
				}
				// z = x is SleakyReLUBackward, dx aliasing dy.
				_, abs = maskedRef(x, dy.view(), x)
				wantSum := SleakyReLUBackward(want, x, dy.view(), slope)
				got = SleakyReLUBackwardDot(dy.view(), x, dy.view(), x, slope)
				dy.check(t, "SleakyReLUBackwardDot in place")
				sameSlice(t, "SleakyReLUBackwardDot in place", n, off, dy.view(), want)
				if !closeTo(float64(got), float64(wantSum), 2*sumTol(n, 0x1p-24), abs) {
					t.Fatalf("slope=%v n=%d: z = x gave %v, SleakyReLUBackward %v", slope, n, got, wantSum)
				}
			})
		}
	})
}

// derivCase is one derivative kernel with its float64 reference: in is the
// cached input (x, s for silu; y for the others) as a function of the
// pre-activation h.
type derivCase struct {
	name   string
	run    func(d1, d2, h, c, dy []float32) // h = pre-activation, c = cache
	twin   func(d1, d2, h, c, dy []float32)
	cache  func(h float64) float64 // the cached value from h
	d1, d2 func(h float64) float64
}

func logistic64(h float64) float64 { return 1 / (1 + math.Exp(-h)) }

var derivCases = []derivCase{
	{
		name:  "silu",
		run:   func(d1, d2, h, c, dy []float32) { SsiluDerivs(d1, d2, h, c, dy) },
		twin:  ssiluDerivsGeneric,
		cache: logistic64,
		d1:    func(h float64) float64 { s := logistic64(h); return s * (1 + h*(1-s)) },
		d2:    func(h float64) float64 { s := logistic64(h); return s * (1 - s) * (2 + h*(1-2*s)) },
	},
	{
		name:  "sigmoid",
		run:   func(d1, d2, h, c, dy []float32) { SsigmoidDerivs(d1, d2, c, dy) },
		twin:  func(d1, d2, h, c, dy []float32) { squadDerivsGeneric(d1, d2, c, dy, -1, 1, 0, -2, 1) },
		cache: logistic64,
		d1:    func(h float64) float64 { s := logistic64(h); return s * (1 - s) },
		d2:    func(h float64) float64 { s := logistic64(h); return s * (1 - s) * (1 - 2*s) },
	},
	{
		name:  "tanh",
		run:   func(d1, d2, h, c, dy []float32) { StanhDerivs(d1, d2, c, dy) },
		twin:  func(d1, d2, h, c, dy []float32) { squadDerivsGeneric(d1, d2, c, dy, -1, 0, 1, -2, 0) },
		cache: math.Tanh,
		d1:    func(h float64) float64 { y := math.Tanh(h); return 1 - y*y },
		d2:    func(h float64) float64 { y := math.Tanh(h); return -2 * y * (1 - y*y) },
	},
}

func TestDerivsMatchTwins(t *testing.T) {
	for _, c := range derivCases {
		t.Run(c.name, func(t *testing.T) {
			forEachTier(t, func(t *testing.T, tier SIMDTier) {
				rng := rand.New(rand.NewPCG(44, uint64(tier)))
				var u ulpTally
				for _, withD2 := range []bool{false, true} {
					for _, withDy := range []bool{false, true} {
						lengthsAndOffsets(func(n, off int) {
							h := make([]float32, n)
							cache := make([]float32, n)
							for i := range h {
								h[i] = float32(8*rng.Float64() - 4)
								cache[i] = float32(c.cache(float64(h[i])))
							}
							d1 := newGuarded[float32](n, off, -3)
							d2 := newGuarded[float32](n, (off+1)%4, -4)
							dy := newGuarded[float32](n, (off+2)%4, -5)
							randomFill(rng, dy.view())
							var d2v, dyv []float32
							if withD2 {
								d2v = d2.view()
							}
							if withDy {
								dyv = dy.view()
							}
							w1, w2 := make([]float32, n), make([]float32, n)
							c.twin(w1, w2[:len(d2v)], h, cache, dyv)
							c.run(d1.view(), d2v, h, cache, dyv)
							d1.check(t, c.name+" d1")
							d2.check(t, c.name+" d2")
							for i := 0; i < n; i++ {
								u.add(t, c.name+" d1", n, i, d1.view()[i], w1[i])
								if withD2 {
									u.add(t, c.name+" d2", n, i, d2.view()[i], w2[i])
								} else if d2.view()[i] != -4 {
									t.Fatalf("%s n=%d: d2 written without d2", c.name, n)
								}
							}
							if withDy {
								// d1 aliasing dy: the same values in place.
								c.run(dy.view(), nil, h, cache, dy.view())
								dy.check(t, c.name+" in place")
								sameSlice(t, c.name+" in place", n, off, dy.view(), d1.view())
							}
						})
					}
				}
				u.check(t, c.name)
			})
		})
	}
}

// TestDerivsAccuracy checks the twins' formulas against float64 math,
// given the cached values rounded to float32 as the layers store them.
func TestDerivsAccuracy(t *testing.T) {
	for _, c := range derivCases {
		const n = 20001
		h, cache := make([]float32, n), make([]float32, n)
		for i := range h {
			h[i] = float32(-10 + 20*float64(i)/(n-1))
			cache[i] = float32(c.cache(float64(h[i])))
		}
		d1, d2 := make([]float32, n), make([]float32, n)
		c.run(d1, d2, h, cache, nil)
		for i, hi := range h {
			// Errors come from the float32 cache (relative 2^-24, amplified
			// by the derivative's sensitivity) and a few roundings: allow
			// 1e-6 of the scale of the terms.
			w1, w2 := c.d1(float64(hi)), c.d2(float64(hi))
			scale := 1 + math.Abs(float64(hi))
			if !closeTo(float64(d1[i]), w1, 1e-6, scale) || !closeTo(float64(d2[i]), w2, 2e-6, scale) {
				t.Fatalf("%s(%v): d1, d2 = %v, %v; float64 %v, %v", c.name, hi, d1[i], d2[i], w1, w2)
			}
		}
	}
}
