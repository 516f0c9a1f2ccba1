package asm

import "math"

// Pure-Go twins of the activation kernels. They run the same float32
// algorithm as the assembly, step for step (same constants, same rounding
// points, FMA where the assembly uses FMA), so the generic tier is the
// reference the other tiers are tested against, and the tiers agree bit for
// bit (up to the rare one-ulp case noted at fma32), not just to the
// documented accuracy. The accuracy figures are in activation.go.

// Constants of the exp algorithm (see exp32).
const (
	// Inputs are clamped to [expLo, expHi] before the range reduction, so n
	// stays in [-150, 128] and the two-step scaling below never overflows
	// the exponent field. exp(expHi) overflows to +Inf and exp(expLo) rounds
	// to 0, so the clamp changes no result.
	expLo = -104.0
	expHi = 89.0

	log2e = 0x1.715476p+00 // float32(log2(e))
	ln2Hi = 0x1.62e43p-01  // float32(ln 2)
	ln2Lo = -0x1.05c61p-29 // float32(ln 2 − ln2Hi)

	// e^r ≈ 1 + r·(1 + r·(c2 + r·(c3 + r·(c4 + r·(c5 + r·c6))))) is the
	// minimax polynomial (for relative error, with the first two
	// coefficients fixed at 1) on |r| ≤ 0.3467; its error is 2.0e-9.
	expC2 = 0x1.fffffcp-02
	expC3 = 0x1.555418p-03
	expC4 = 0x1.555824p-05
	expC5 = 0x1.1267cp-07
	expC6 = 0x1.6ae6f6p-10
)

// Constants of log1p on [0, 1]: log1p(u) = 2·atanh(s) with s = u/(2+u) ≤ 1/3,
// which is 2s + s·z·R(z), z = s², R a minimax cubic (relative error of the
// approximation 4.5e-9). The kernels work with t = 2s = 2u/(2+u) and
// y = t² = 4z (t stays normal whenever u is, while s turns subnormal for
// u < 2.4e-38), so the coefficients below are those of R(y/4)/8.
const (
	log1pR0 = 0x1.555502p-04
	log1pR1 = 0x1.99d208p-07
	log1pR2 = 0x1.1ebd0cp-09
	log1pR3 = 0x1.1ed7c4p-11
)

// Constants of tanh: below tanhSmall, tanh(a) = a + a·z·P(z), z = a², with
// P a minimax polynomial of degree 6 (relative error 1.1e-9); above it,
// tanh(a) = 1 − 2/(e^{2a}+1).
const (
	tanhSmall = 0x1.ccccccp-01 // float32(0.9)
	tanhP0    = -0x1.55554ep-02
	tanhP1    = 0x1.110f34p-03
	tanhP2    = -0x1.b9c9f2p-05
	tanhP3    = 0x1.62ef7cp-06
	tanhP4    = -0x1.0ed004p-07
	tanhP5    = 0x1.5283f4p-09
	tanhP6    = -0x1.dd959ap-12
)

// fma32 is a fused multiply-add rounded to float32, as VFMADD…PS does. The
// product of two float32 is exact in float64; the sum is rounded twice
// (to float64, then float32), which in rare halfway cases can differ from
// the single rounding of the hardware by one ulp.
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// exp32 is the vectorised exp, one lane at a time:
//
//  1. clamp x to [expLo, expHi] (NaN passes through);
//  2. n = round-to-even(x·log2e), r = x − n·ln2Hi − n·ln2Lo with FMAs
//     (the first FMA is exact), so |r| ≤ ln2/2 (+ a rounding margin);
//  3. p = e^r by a degree-6 minimax polynomial in Horner form with FMAs;
//  4. e^x = p·2^n, computed as (p·2^⌊n/2⌋)·2^(n−⌊n/2⌋): both factors are
//     normal floats, the first product is exact and the second rounds once,
//     so the result equals the correctly rounded p·2^n, including overflow
//     to +Inf and gradual underflow (VSCALEFPS gives the same bits).
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, expLo), expHi)
	n := float32(math.RoundToEven(float64(x * log2e)))
	r := fma32(-n, ln2Hi, x)
	r = fma32(-n, ln2Lo, r)
	q := fma32(expC6, r, expC5)
	q = fma32(q, r, expC4)
	q = fma32(q, r, expC3)
	q = fma32(q, r, expC2)
	q = fma32(q, r, 1)
	p := fma32(q, r, 1)
	ni := int32(n)
	n1 := ni >> 1
	n2 := ni - n1
	return p * math.Float32frombits(uint32(n1+127)<<23) * math.Float32frombits(uint32(n2+127)<<23)
}

// log1p01 is log(1+u) for u in [0, 1] (and NaN), as the softplus kernels
// compute it: t + t·y·R(y/4)/8 with t = 2u/(2+u), y = t². t is formed as
// u − u·s with s = u/(2+u): the rounding errors of 2+u and of the division
// then reach t scaled by u/2, so they matter little for small u, where
// softplus needs relative accuracy most.
func log1p01(u float32) float32 {
	s := u / (2 + u)
	t := fma32(-u, s, u)
	y := t * t
	r := fma32(log1pR3, y, log1pR2)
	r = fma32(r, y, log1pR1)
	r = fma32(r, y, log1pR0)
	return fma32(t*y, r, t)
}

// tanhAbs is tanh(a) for a ≥ 0 (or NaN).
func tanhAbs(a float32) float32 {
	if a < tanhSmall {
		z := a * a
		p := fma32(tanhP6, z, tanhP5)
		p = fma32(p, z, tanhP4)
		p = fma32(p, z, tanhP3)
		p = fma32(p, z, tanhP2)
		p = fma32(p, z, tanhP1)
		p = fma32(p, z, tanhP0)
		return fma32(a*z, p, a)
	}
	return 1 - 2/(exp32(a+a)+1)
}

func sexpGeneric(dst, x []float32) {
	for i, v := range x {
		dst[i] = exp32(v)
	}
}

// ssigmoidGeneric is 1/(1+exp(−x)): exp(−x) overflows to +Inf for
// x < −88.72 and the quotient is then 0.
func ssigmoidGeneric(dst, x []float32) {
	for i, v := range x {
		dst[i] = 1 / (1 + exp32(-v))
	}
}

// ssiluGeneric is x/(1+exp(−x)), with x clamped below at −MaxFloat32 in the
// numerator so that silu(−Inf) is −0 rather than −Inf/Inf = NaN.
func ssiluGeneric(dst, x []float32) {
	for i, v := range x {
		dst[i] = max(v, -math.MaxFloat32) / (1 + exp32(-v))
	}
}

// ssoftplusGeneric is max(x, 0) + log1p(exp(−|x|)), which never overflows.
func ssoftplusGeneric(dst, x []float32) {
	for i, v := range x {
		a := math.Float32frombits(math.Float32bits(v) | 1<<31) // −|x|
		dst[i] = max(v, 0) + log1p01(exp32(a))
	}
}

// stanhGeneric is sign(x)·tanhAbs(|x|).
func stanhGeneric(dst, x []float32) {
	for i, v := range x {
		b := math.Float32bits(v)
		t := tanhAbs(math.Float32frombits(b &^ (1 << 31)))
		dst[i] = math.Float32frombits(math.Float32bits(t) | b&(1<<31))
	}
}

// Constants of ELU: above eluSmall = −ln2/2 (float32), e^x − 1 is the
// degree-7 Taylor polynomial x·(1 + x·(1/2 + … + x/5040)), whose error
// there (x⁸/8! relative to x, 3.7e-9) is far below the cancellation of
// subtracting 1 from e^x; below it, e^x − 1 loses nothing to the
// cancellation (e^x ≤ 1/√2).
const eluSmall = -0x1.62e43p-02

// seluGeneric sets dst = x > 0 ? x : α·(e^x − 1), the Taylor polynomial with
// FMAs above eluSmall and exp32(x) − 1 below. NaN stays NaN (it takes the
// exp side), and −0 gives −0.
func seluGeneric(dst, x []float32, alpha float32) {
	for i, v := range x {
		em := exp32(v) - 1
		if v > eluSmall {
			q := fma32(1.0/5040, v, 1.0/720)
			for _, c := range [...]float32{1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2, 1} {
				q = fma32(q, v, c)
			}
			em = q * v
		}
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = alpha * em
		}
	}
}

func sleakyReLUGeneric(dst, x []float32, slope float32) {
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = slope * v
		}
	}
}

// sleakyReLUBackwardGeneric sets dx = dy·(x > 0 ? 1 : slope) and returns
// Σ dy·x over x ≤ 0 (and NaN x), the gradient of the slope (for PReLU).
func sleakyReLUBackwardGeneric(dx, x, dy []float32, slope float32) float32 {
	var ds float32
	for i, v := range x {
		d := dy[i] // read before dx[i] is written: dx may alias dy
		if v > 0 {
			dx[i] = d
		} else {
			dx[i] = slope * d
			ds += d * v
		}
	}
	return ds
}
