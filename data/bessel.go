package data

import "math"

// i0eSwitch is where besselI0e changes from the power series to the
// asymptotic expansion. Below it the series has at most ~70 positive terms
// (no cancellation); above it the smallest asymptotic term is about e^(−2x)
// ≤ e^(−50), so both branches are accurate to a few ulp.
const i0eSwitch = 25

// besselI0e returns the exponentially scaled modified Bessel function of the
// first kind of order zero, e^(−|x|) I₀(x). It does not overflow for any x, so
// log I₀(x) = log(besselI0e(x)) + |x| is stable for large arguments, which is
// what the blurred-ring densities need (their argument rR/σ² reaches ~10³).
// The relative error is a few times 1e-16 (checked in the tests against the
// integral I₀(x) = (1/π)∫₀^π e^(x cos θ) dθ).
func besselI0e(x float64) float64 {
	x = math.Abs(x)
	switch {
	case math.IsNaN(x):
		return x
	case x < i0eSwitch:
		// I₀(x) = Σ_k (x²/4)^k / (k!)².
		q := x * x / 4
		term, sum := 1.0, 1.0
		for k := 1; term > 1e-17*sum; k++ {
			term *= q / float64(k*k)
			sum += term
		}
		return sum * math.Exp(-x)
	case math.IsInf(x, 1):
		return 0
	}
	// I₀(x) e^(−x) √(2πx) ~ Σ_k [(2k−1)!!]² / (k! (8x)^k), an asymptotic series
	// whose terms shrink while k < 2x; stop at the rounding level.
	t := 1 / (8 * x)
	term, sum := 1.0, 1.0
	for k := 1; k < 100; k++ {
		m := float64(2*k - 1)
		term *= m * m * t / float64(k)
		sum += term
		if term <= 1e-17*sum {
			break
		}
	}
	return sum / math.Sqrt(2*math.Pi*x)
}

// logBesselI0 returns log I₀(x) without overflow.
func logBesselI0(x float64) float64 { return math.Log(besselI0e(x)) + math.Abs(x) }
