package reference

import "math"

// expTable[j] = 2^(j/64), j = 0..63, correctly rounded.
var expTable = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()

// expNeg returns e^x for x ≤ 0 to within about 2 ulp (0 below −745, where
// e^x underflows). It is faster than math.Exp, which the kernel sums call
// hundreds of millions of times: x = (64n + j)·ln2/64 + r with |r| ≤ ln2/128,
// e^x = 2ⁿ·(t + t·(e^r − 1)) with t = 2^(j/64) from a table and e^r − 1 by its
// degree-5 Taylor polynomial, whose
// truncation error r⁶/720 < 4·10⁻¹⁷ is below half an ulp.
func expNeg(x float64) float64 {
	const (
		invLn2x64 = 64 / math.Ln2
		ln2x64Hi  = 1.083042469326756e-02  // ln2/64 to 32 bits (fdlibm's ln2 hi/64): k·hi is exact
		ln2x64Lo  = 2.9815858269852933e-12 // ln2/64 − hi
		shifter   = 0x1.8p52
	)
	if !(x >= -745) {
		return 0
	}
	// Adding 1.5·2⁵² rounds x·64/ln2 to the integer k in the low bits.
	kb := x*invLn2x64 + shifter
	ki := int64(math.Float64bits(kb) - math.Float64bits(shifter))
	k := kb - shifter
	r := (x - k*ln2x64Hi) - k*ln2x64Lo
	q := r * (1 + r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120))))) // e^r − 1
	n, j := ki>>6, ki&63
	t := expTable[j]
	v := t + t*q
	if n < -1021 {
		return math.Ldexp(v, int(n))
	}
	return math.Float64frombits(math.Float64bits(v) + uint64(n)<<52)
}
