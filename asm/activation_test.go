package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// smoothCase describes one exp-based activation: its public entry point,
// its twin, a float64 reference and the accuracy documented in
// activation.go. The relative bound applies where x ≥ relFrom and the exact
// result is a normal float32 (not subnormal, not beyond MaxFloat32);
// elsewhere the absolute error must be at most abs, and an exact result
// beyond MaxFloat32 must come out as an infinity of the same sign.
type smoothCase struct {
	name     string
	run      func(dst, x []float32)
	twin     func(dst, x []float32)
	ref      func(x float64) float64
	rel, abs float64
	relFrom  float64
	lo, hi   float32 // the accuracy sweep covers [lo, hi]
}

var smoothCases = []smoothCase{
	{name: "exp", run: Sexp, twin: sexpGeneric, ref: math.Exp,
		rel: expRelErr, abs: 0x1p-149, relFrom: math.Inf(-1), lo: -110, hi: 90},
	{name: "sigmoid", run: Ssigmoid, twin: ssigmoidGeneric, ref: sigmoid64,
		rel: sigmoidRelErr, abs: 0x1p-126, relFrom: math.Inf(-1), lo: -110, hi: 110},
	{name: "silu", run: Ssilu, twin: ssiluGeneric, ref: silu64,
		rel: sigmoidRelErr, abs: 2.7e-37, relFrom: -88.72, lo: -110, hi: 110},
	{name: "softplus", run: Ssoftplus, twin: ssoftplusGeneric, ref: softplus64,
		rel: softplusRelErr, abs: 0x1p-148, relFrom: math.Inf(-1), lo: -110, hi: 110},
	{name: "tanh", run: Stanh, twin: stanhGeneric, ref: math.Tanh,
		rel: tanhRelErr, abs: 0x1p-149, relFrom: math.Inf(-1), lo: -30, hi: 30},
	{name: "elu", run: func(dst, x []float32) { Selu(dst, x, 1) }, twin: func(dst, x []float32) { seluGeneric(dst, x, 1) },
		ref: elu64, rel: eluRelErr, abs: 0x1p-149, relFrom: math.Inf(-1), lo: -30, hi: 30},
}

func elu64(x float64) float64 {
	if x > 0 {
		return x
	}
	return math.Expm1(x)
}

// TestSeluScalesByAlpha: α multiplies the negative side, one rounding
// after the α = 1 result, on every tier; the positive side is x.
func TestSeluScalesByAlpha(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(5, uint64(tier)))
		x := make([]float32, 203)
		wideFill(rng, x)
		one, got := make([]float32, len(x)), make([]float32, len(x))
		Selu(one, x, 1)
		for _, alpha := range []float32{0.5, 1.7, 0} {
			Selu(got, x, alpha)
			for i, v := range x {
				want := alpha * one[i]
				if v > 0 {
					want = v
				}
				if ulps(got[i], want) != 0 {
					t.Fatalf("α=%v: elu(%v) = %v, want %v", alpha, v, got[i], want)
				}
			}
		}
	})
}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func silu64(x float64) float64 {
	if math.IsInf(x, -1) {
		return 0
	}
	return x / (1 + math.Exp(-x))
}

func softplus64(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// ulps is the number of float32 steps between a and b: 0 for two NaNs,
// MaxInt64 for a NaN and a number; +0 and −0 are 0 apart.
func ulps(a, b float32) int64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt64
	}
	d := orderedBits(a) - orderedBits(b)
	if d < 0 {
		d = -d
	}
	return d
}

// orderedBits maps float32 to integers in the same order, one apart for
// adjacent floats.
func orderedBits(f float32) int64 {
	b := math.Float32bits(f)
	if b>>31 != 0 {
		return -int64(b &^ (1 << 31))
	}
	return int64(b)
}

// wideFill fills x with values over many magnitudes, both signs, and now
// and then a special value (NaN, ±Inf, ±0, a subnormal, a huge value, a
// value near the exp overflow and underflow thresholds).
func wideFill(rng *rand.Rand, x []float32) {
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0,
		float32(math.Copysign(0, -1)), 1e-40, -1e-40, 3e38, -3e38, 88.72283, 88.72284, -87.4, -103.97, -104.5}
	for i := range x {
		switch {
		case rng.IntN(13) == 0:
			x[i] = specials[rng.IntN(len(specials))]
		default:
			x[i] = float32((2*rng.Float64() - 1) * math.Pow(10, 5*rng.Float64()-3))
		}
	}
}

// TestSmoothActivationsMatchTwins checks every tier against the pure-Go
// twin on every length up to maxTestLen at four alignments, with guards
// around the output, and checks that dst may alias x.
func TestSmoothActivationsMatchTwins(t *testing.T) {
	for _, c := range smoothCases {
		t.Run(c.name, func(t *testing.T) {
			forEachTier(t, func(t *testing.T, tier SIMDTier) {
				rng := rand.New(rand.NewPCG(3, uint64(tier)))
				var worst, differ, total int64
				lengthsAndOffsets(func(n, off int) {
					x := newGuarded[float32](n, off, 5)
					dst := newGuarded[float32](n, (off+3)%4, -7)
					wideFill(rng, x.view())
					orig := append([]float32(nil), x.view()...)
					want := make([]float32, n)
					c.twin(want, orig)
					c.run(dst.view(), x.view())
					x.check(t, c.name+" x")
					dst.check(t, c.name+" dst")
					for i, v := range x.view() {
						if math.Float32bits(v) != math.Float32bits(orig[i]) {
							t.Fatalf("n=%d: x[%d] changed", n, i)
						}
					}
					for i, v := range dst.view() {
						d := ulps(v, want[i])
						if d > 1 {
							t.Fatalf("n=%d off=%d: %s(%v) = %v, twin %v (%d ulps)", n, off, c.name, orig[i], v, want[i], d)
						}
						worst = max(worst, d)
						total++
						if d != 0 {
							differ++
						}
					}
					// In place: the same bits as out of place.
					c.run(x.view(), x.view())
					x.check(t, c.name+" in place")
					for i, v := range x.view() {
						if ulps(v, dst.view()[i]) != 0 {
							t.Fatalf("n=%d: in-place %s(%v) = %v, out of place %v", n, c.name, orig[i], v, dst.view()[i])
						}
					}
				})
				// The tiers run the twin's operations, so they differ only
				// where the twin's emulated FMA double-rounds: rarely.
				if differ*10000 > total {
					t.Errorf("%s: %d of %d results differ from the twin", c.name, differ, total)
				}
				t.Logf("%s %s: %d of %d results differ from the twin, by at most %d ulp", c.name, tier, differ, total, worst)
			})
		})
	}
}

// accuracyInputs is a dense sweep of [lo, hi]: every stride-th float32 of
// each sign (so all magnitudes are covered), uniform random points, and the
// bounds themselves.
func accuracyInputs(lo, hi float32, stride uint32, random int) []float32 {
	var xs []float32
	for b := uint32(0); b < 0x7f800000; b += stride {
		v := math.Float32frombits(b)
		if v <= hi {
			xs = append(xs, v)
		}
		if -v >= lo {
			xs = append(xs, -v)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < random; i++ {
		xs = append(xs, lo+(hi-lo)*rng.Float32())
	}
	return append(xs, lo, hi)
}

// errorStats measures got against the float64 reference ref(x) under the
// rules of smoothCase, and returns the largest relative error seen where
// the relative bound applies, the largest absolute error elsewhere, and the
// first failure.
func errorStats(c smoothCase, xs, got []float32, ref []float64) (maxRel float64, relAt float32, maxAbs float64, fail string) {
	for i, x := range xs {
		want := ref[i]
		g := float64(got[i])
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(g) {
				fail = fmt.Sprintf("%s(%v) = %v, want NaN", c.name, x, g)
			}
		case math.IsInf(float64(float32(want)), 0):
			if g != float64(float32(want)) {
				fail = fmt.Sprintf("%s(%v) = %v, want %v (overflow)", c.name, x, g, float32(want))
			}
		case float64(x) >= c.relFrom && math.Abs(want) >= 0x1p-126:
			e := math.Abs(g-want) / math.Abs(want)
			if e > maxRel {
				maxRel, relAt = e, x
			}
			if !(e <= c.rel) {
				fail = fmt.Sprintf("%s(%v) = %v, want %v: relative error %.3g > %.3g", c.name, x, g, want, e, c.rel)
			}
		default:
			e := math.Abs(g - want)
			maxAbs = max(maxAbs, e)
			if !(e <= c.abs) {
				fail = fmt.Sprintf("%s(%v) = %v, want %v: absolute error %.3g > %.3g", c.name, x, g, want, e, c.abs)
			}
		}
		if fail != "" {
			return
		}
	}
	return
}

// TestSmoothActivationAccuracy checks the documented accuracy of every
// tier against float64 math on a dense sweep, and logs the largest error
// seen (go test -v -run Accuracy prints it).
func TestSmoothActivationAccuracy(t *testing.T) {
	stride, random := uint32(701), 1<<19
	if testing.Short() {
		stride, random = 4099, 1<<16
	}
	for _, c := range smoothCases {
		t.Run(c.name, func(t *testing.T) {
			xs := accuracyInputs(c.lo, c.hi, stride, random)
			ref := make([]float64, len(xs))
			for i, x := range xs {
				ref[i] = c.ref(float64(x))
			}
			got := make([]float32, len(xs))
			forEachTier(t, func(t *testing.T, tier SIMDTier) {
				clear(got)
				c.run(got, xs)
				rel, at, abs, fail := errorStats(c, xs, got, ref)
				if fail != "" {
					t.Fatal(fail)
				}
				t.Logf("%s %s: %d points in [%g, %g]: max relative error %.3g (at x=%v, bound %.3g), max absolute error outside the relative range %.3g",
					c.name, tier, len(xs), c.lo, c.hi, rel, at, c.rel, abs)
			})
		})
	}
}

// TestExpRangeEdges pins the documented behaviour at the ends of the range.
func TestExpRangeEdges(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		x, want float32 // want < 0: check only that the result is finite and accurate
	}{
		{nan, nan}, {inf, inf}, {-inf, 0}, {0, 1}, {float32(math.Copysign(0, -1)), 1},
		{1e-40, 1}, {math.Float32frombits(0x42b17218), inf}, {89, inf}, {1e30, inf}, {math.MaxFloat32, inf},
		{-104, 0}, {-1e30, 0}, {-math.MaxFloat32, 0},
		{math.Float32frombits(0x42b17217), -1}, {-87.3, -1}, {-100, -1}, {-103.2, -1},
	} {
		forEachTier(t, func(t *testing.T, tier SIMDTier) {
			for _, n := range []int{1, 7, 8, 9, 16, 17, 33} { // lanes of the main loops and of the tails
				x := make([]float32, n)
				for i := range x {
					x[i] = 1
				}
				x[n-1], x[n/2] = tc.x, tc.x
				got := make([]float32, n)
				Sexp(got, x)
				for _, i := range []int{n / 2, n - 1} {
					g := got[i]
					switch {
					case tc.want < 0:
						ref := math.Exp(float64(tc.x))
						if math.IsInf(float64(g), 0) || math.Abs(float64(g)-ref) > expRelErr*ref+0x1p-149 {
							t.Errorf("n=%d: exp(%v) = %v, want %v", n, tc.x, g, ref)
						}
					case ulps(g, tc.want) != 0 || math.Signbit(float64(g)):
						t.Errorf("n=%d: exp(%v) = %v, want %v", n, tc.x, g, tc.want)
					}
				}
			}
		})
	}
}

// TestSmoothActivationSpecialValues checks infinities, signed zeros, NaN
// and extreme inputs, in a full vector lane and in a tail lane.
func TestSmoothActivationSpecialValues(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	ln2 := float32(math.Ln2)
	for _, tc := range []struct {
		name string
		fn   func(dst, x []float32)
		x    []float32
		want []float32
	}{
		{"sigmoid", Ssigmoid,
			[]float32{nan, inf, -inf, 0, negZero, 1e30, -1e30, 200, -200},
			[]float32{nan, 1, 0, 0.5, 0.5, 1, 0, 1, 0}},
		{"silu", Ssilu,
			[]float32{nan, inf, -inf, 0, 1e30, -1e30, 200, -200},
			[]float32{nan, inf, negZero, 0, 1e30, negZero, 200, negZero}},
		{"softplus", Ssoftplus,
			[]float32{nan, inf, -inf, 0, negZero, 1e30, -1e30, 200, -200},
			[]float32{nan, inf, 0, ln2, ln2, 1e30, 0, 200, 0}},
		{"tanh", Stanh,
			[]float32{nan, inf, -inf, 0, negZero, 1e-40, -1e-40, 1e30, -1e30, 20, -20},
			[]float32{nan, 1, -1, 0, negZero, 1e-40, -1e-40, 1, -1, 1, -1}},
	} {
		forEachTier(t, func(t *testing.T, tier SIMDTier) {
			for i, x := range tc.x {
				for _, n := range []int{1, 8, 9, 16, 17, 40} {
					xs := make([]float32, n)
					for j := range xs {
						xs[j] = 0.25
					}
					xs[0], xs[n-1] = x, x
					got := make([]float32, n)
					tc.fn(got, xs)
					for _, j := range []int{0, n - 1} {
						g, w := got[j], tc.want[i]
						// Exact, except ln 2 (softplus(0)), which is
						// only as accurate as documented.
						tol := int64(0)
						if w == ln2 {
							tol = 1
						}
						if ulps(g, w) > tol || (w == w && math.Signbit(float64(g)) != math.Signbit(float64(w))) {
							t.Errorf("n=%d: %s(%v) = %v, want %v", n, tc.name, x, g, w)
						}
					}
				}
			}
		})
	}
}

// TestLog1pTwinAccuracy checks the log1p used by softplus on [0, 1], and
// that its relative accuracy holds down to the smallest normal input.
func TestLog1pTwinAccuracy(t *testing.T) {
	stride := uint32(97)
	if testing.Short() {
		stride = 1021
	}
	var worst float64
	for b := uint32(0x00800000); b <= 0x3f800000; b += stride {
		u := math.Float32frombits(b)
		want := math.Log1p(float64(u))
		e := math.Abs(float64(log1p01(u))-want) / want
		worst = max(worst, e)
		if e > log1pRelErr {
			t.Fatalf("log1p(%v) = %v, want %v: relative error %.3g", u, log1p01(u), want, e)
		}
	}
	t.Logf("log1p on [2^-126, 1]: max relative error %.3g (bound %.3g)", worst, log1pRelErr)
}

func naNFill(rng *rand.Rand, x []float32) {
	randomFill(rng, x)
	for i := range x {
		switch rng.IntN(23) {
		case 0:
			x[i] = float32(math.NaN())
		case 1:
			x[i] = float32(math.Copysign(0, -1))
		case 2:
			x[i] = float32(math.Inf(1 - 2*rng.IntN(2)))
		}
	}
}

func TestLeakyReLUMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, slope := range []float32{0.01, 0, -0.5, 1.5} {
			lengthsAndOffsets(func(n, off int) {
				x := newGuarded[float32](n, off, 3)
				dst := newGuarded[float32](n, (off+1)%4, -3)
				naNFill(rng, x.view())
				want := make([]float32, n)
				sleakyReLUGeneric(want, x.view(), slope)
				SleakyReLU(dst.view(), x.view(), slope)
				x.check(t, "SleakyReLU x")
				dst.check(t, "SleakyReLU dst")
				for i, v := range dst.view() {
					if math.Float32bits(v) != math.Float32bits(want[i]) && !(v != v && want[i] != want[i]) {
						t.Fatalf("n=%d slope=%v: leakyReLU(%v) = %v, want %v", n, slope, x.view()[i], v, want[i])
					}
				}
				SleakyReLU(x.view(), x.view(), slope)
				x.check(t, "SleakyReLU in place")
				for i, v := range x.view() {
					if ulps(v, want[i]) != 0 {
						t.Fatalf("n=%d: in place leakyReLU = %v, want %v", n, v, want[i])
					}
				}
			})
		}
	})
}

func TestLeakyReLUBackwardMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(8, 9))
		for _, slope := range []float32{0.01, 0, -0.5} {
			lengthsAndOffsets(func(n, off int) {
				x := newGuarded[float32](n, off, 3)
				dy := newGuarded[float32](n, (off+2)%4, 4)
				dx := newGuarded[float32](n, (off+1)%4, -3)
				randomFill(rng, x.view())
				randomFill(rng, dy.view())
				for i := range x.view() {
					if rng.IntN(11) == 0 {
						x.view()[i] = float32(math.Copysign(0, -1))
					}
				}
				want := make([]float32, n)
				wantDs := sleakyReLUBackwardGeneric(want, x.view(), dy.view(), slope)
				var exact, scale float64 // Σ dy·x over x ≤ 0, in float64, and Σ |dy·x|
				for i, v := range x.view() {
					if v <= 0 {
						p := float64(dy.view()[i]) * float64(v)
						exact += p
						scale += math.Abs(p)
					}
				}
				ds := SleakyReLUBackward(dx.view(), x.view(), dy.view(), slope)
				x.check(t, "x")
				dy.check(t, "dy")
				dx.check(t, "dx")
				for i, v := range dx.view() {
					if ulps(v, want[i]) != 0 {
						t.Fatalf("n=%d slope=%v: dx[%d] = %v, want %v", n, slope, i, v, want[i])
					}
				}
				// Summation order differs between tiers: each partial sum
				// rounds once (FMA) or twice, so the error is below 2n·2⁻²⁴·Σ|dy·x|.
				tol := 2*float64(n+1)*0x1p-24*scale + 1e-30
				if math.Abs(float64(ds)-exact) > tol || math.Abs(float64(wantDs)-exact) > tol {
					t.Fatalf("n=%d slope=%v: slope gradient %v (twin %v), exact %v", n, slope, ds, wantDs, exact)
				}
				// dx may alias dy.
				ds2 := SleakyReLUBackward(dy.view(), x.view(), dy.view(), slope)
				dy.check(t, "dy in place")
				if ds2 != ds {
					t.Fatalf("n=%d: in place slope gradient %v, want %v", n, ds2, ds)
				}
				for i, v := range dy.view() {
					if ulps(v, want[i]) != 0 {
						t.Fatalf("n=%d: in place dx[%d] = %v, want %v", n, i, v, want[i])
					}
				}
			})
		}
	})
}

func TestLeakyReLUBackwardNaN(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		for _, n := range []int{1, 8, 15, 16, 17, 70} {
			x := make([]float32, n)
			dy := make([]float32, n)
			dx := make([]float32, n)
			for i := range x {
				x[i], dy[i] = -1, 2
			}
			// dy = NaN or Inf where x > 0 reaches dx but not the slope gradient.
			x[0], dy[0] = 1, nan
			if n > 1 {
				x[1], dy[1] = 1, inf
			}
			ds := SleakyReLUBackward(dx, x, dy, 0.1)
			if dx[0] == dx[0] || (n > 1 && dx[1] != inf) || ds != float32(-2*(n-min(n, 2))) {
				t.Fatalf("n=%d: dx = %v, ds = %v", n, dx, ds)
			}
			// NaN x (on the x ≤ 0 side, as in the twin) poisons the gradient.
			x[n-1], dy[n-1] = nan, 2
			ds = SleakyReLUBackward(dx, x, dy, 0.1)
			if ds == ds || dx[n-1] != 0.1*dy[n-1] {
				t.Fatalf("n=%d: NaN x gives dx %v, ds %v", n, dx[n-1], ds)
			}
		}
	})
}

func TestActivationsAllocateNothing(t *testing.T) {
	x := make([]float32, 1000)
	dst := make([]float32, 1000)
	dy := make([]float32, 1000)
	randomFill(rand.New(rand.NewPCG(1, 1)), x)
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		for name, f := range map[string]func(){
			"exp": func() { Sexp(dst, x) }, "sigmoid": func() { Ssigmoid(dst, x) },
			"silu": func() { Ssilu(dst, x) }, "softplus": func() { Ssoftplus(dst, x) },
			"tanh": func() { Stanh(dst, x) }, "leakyReLU": func() { SleakyReLU(dst, x, 0.1) },
			"leakyReLUBackward": func() { SleakyReLUBackward(dst, x, dy, 0.1) },
		} {
			if a := testing.AllocsPerRun(10, f); a != 0 {
				t.Errorf("%s allocates %v times per call", name, a)
			}
		}
	})
}

func TestActivationsPanicOnShortOperands(t *testing.T) {
	x := make([]float32, 10)
	short := make([]float32, 9)
	for name, f := range map[string]func(){
		"exp": func() { Sexp(short, x) }, "sigmoid": func() { Ssigmoid(short, x) },
		"silu": func() { Ssilu(short, x) }, "softplus": func() { Ssoftplus(short, x) },
		"tanh": func() { Stanh(short, x) }, "leakyReLU": func() { SleakyReLU(short, x, 0.1) },
		"leakyReLUBackward dx": func() { SleakyReLUBackward(short, x, x, 0.1) },
		"leakyReLUBackward dy": func() { SleakyReLUBackward(x, x, short, 0.1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on a short operand", name)
				}
			}()
			f()
		}()
	}
}
