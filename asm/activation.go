package asm

// This file is the public face of the activation kernels. The smooth ones
// are built on one vectorised exp (exp32 in activation_generic.go):
// Cody–Waite reduction x = n·ln2 + r, a degree-6 minimax polynomial for e^r
// evaluated with FMAs, and scaling by 2^n through the exponent field. Every
// tier runs the same float32 algorithm, so tiers agree with each other to
// within one ulp (usually bit for bit); the accuracy below is against exact
// (float64) math, as tested on dense sweeps in activation_test.go.
//
// Error bounds, relative unless stated; "observed" is the largest error
// found by an exhaustive check of every float32 in the range with the
// generic twin. Results below 2^-126 (subnormal) are only absolutely
// accurate, and producing them is slow on most CPUs.
//
//	Sexp       ≤ 2e-7 where exp(x) is a normal float32, x in [-87.33, 88.72]
//	           (observed 8.9e-8); |error| ≤ 2^-149 for x < -87.33.
//	Ssigmoid   ≤ 2.5e-7 where the result is ≥ 2^-126, x ≥ -87.33
//	           (observed 1.7e-7); |error| ≤ 2^-126 below.
//	Ssilu      ≤ 2.5e-7 for x ≥ -88.72 (observed 1.7e-7); for x < -88.72
//	           exp(−x) overflows and the result is −0, off by < 2.7e-37.
//	Ssoftplus  ≤ 2.5e-7 where the result is ≥ 2^-126, x ≥ -87.33
//	           (observed 1.8e-7); |error| ≤ 2^-148 below.
//	Stanh      ≤ 2e-7 everywhere (observed 8.0e-8), including near 0 (odd
//	           polynomial there, so tiny and subnormal x give x exactly).
//	Selu       ≤ 2e-7 relative to expm1(x) for α = 1, x in [-30, 0] where
//	           the result is a normal float32 (observed 1.6e-7, at −ln2/2
//	           where the Taylor side meets the exp side); x for x > 0.
//
// The internal log1p used by softplus (log1p(u) = 2·atanh(u/(2+u)) for u in
// [0, 1], with a minimax cubic in the square of the atanh argument) has a
// relative error ≤ 1.5e-7 (observed 1.4e-7, most of it from rounding).

// The error bounds documented above, as the tests enforce them.
const (
	expRelErr      = 2e-7
	sigmoidRelErr  = 2.5e-7 // sigmoid and silu
	softplusRelErr = 2.5e-7
	tanhRelErr     = 2e-7
	eluRelErr      = 2e-7
	log1pRelErr    = 1.5e-7
)

// Sexp sets dst[i] = exp(x[i]) for i < len(x). dst may alias x.
//
// Overflow gives +Inf (x > 88.7228), underflow gives subnormals and then 0
// (x < -103.97), exp(NaN) is NaN, exp(+Inf) = +Inf and exp(−Inf) = 0.
func Sexp(dst, x []float32) { checkLen("Sexp", len(x), len(dst)); k.sexp(dst[:len(x)], x) }

// Selu sets dst[i] = x[i] if x[i] > 0, else alpha·(exp(x[i]) − 1): the
// exponential linear unit (ELU; the S is float32, as in Sexp, not the
// scaled SELU). Near 0 it uses a Taylor polynomial, so small negative x
// keep their relative accuracy. dst may alias x; NaN stays NaN.
func Selu(dst, x []float32, alpha float32) {
	checkLen("Selu", len(x), len(dst))
	k.selu(dst[:len(x)], x, alpha)
}

// SleakyReLU sets dst[i] = x[i] if x[i] > 0, else slope·x[i]. dst may alias
// x; NaN stays NaN.
func SleakyReLU(dst, x []float32, slope float32) {
	checkLen("SleakyReLU", len(x), len(dst))
	k.sleakyReLU(dst[:len(x)], x, slope)
}

// SleakyReLUBackward sets dx[i] = dy[i] if x[i] > 0, else slope·dy[i], and
// returns Σ dy[i]·x[i] over x[i] ≤ 0: the gradient of a shared PReLU slope.
// dx may alias dy. A NaN x[i] counts on the x ≤ 0 side and makes the sum
// NaN. The summation order depends on the tier, so sums agree to rounding.
func SleakyReLUBackward(dx, x, dy []float32, slope float32) float32 {
	checkLen("SleakyReLUBackward", len(x), len(dx), len(dy))
	return k.sleakyReLUBackward(dx[:len(x)], x, dy[:len(x)], slope)
}

// Ssigmoid sets dst[i] = 1/(1+exp(−x[i])). dst may alias x.
// sigmoid(−Inf) = 0, sigmoid(+Inf) = 1, NaN stays NaN.
func Ssigmoid(dst, x []float32) { checkLen("Ssigmoid", len(x), len(dst)); k.ssigmoid(dst[:len(x)], x) }

// Ssilu sets dst[i] = x[i]·sigmoid(x[i]) = x[i]/(1+exp(−x[i])). dst may
// alias x. silu(−Inf) = −0, silu(+Inf) = +Inf, NaN stays NaN.
func Ssilu(dst, x []float32) { checkLen("Ssilu", len(x), len(dst)); k.ssilu(dst[:len(x)], x) }

// Ssoftplus sets dst[i] = log(1+exp(x[i])), computed as
// max(x, 0) + log1p(exp(−|x|)) so that it never overflows. dst may alias x.
// softplus(−Inf) = 0, softplus(+Inf) = +Inf, NaN stays NaN.
func Ssoftplus(dst, x []float32) {
	checkLen("Ssoftplus", len(x), len(dst))
	k.ssoftplus(dst[:len(x)], x)
}

// Stanh sets dst[i] = tanh(x[i]). dst may alias x. Below |x| = 0.9 it uses
// an odd minimax polynomial (so tiny and subnormal x come out exact and the
// sign of zero is kept); above, 1 − 2/(exp(2|x|)+1) with the sign of x,
// which saturates to ±1 without overflow.
func Stanh(dst, x []float32) { checkLen("Stanh", len(x), len(dst)); k.stanh(dst[:len(x)], x) }
