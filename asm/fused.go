package asm

// Fused element-wise kernels for the layers of package nn: one pass over
// memory where a chain of Smul/Sadd/Ssub calls would make several, and no
// branch per element where a Go loop would mispredict. The derivative
// kernels use FMAs where the formulas below show them, and every tier
// performs the same operations, so tiers agree with their twin to an ulp
// (the twin emulates FMA in float64, which double-rounds in rare cases).
// The two masked reductions sum in a tier-dependent order.

// Sfma sets dst[i] = a[i]·b[i] + c[i] with one rounding, for i < len(dst).
// dst may alias a, b or c (Sfma(d, a, b, d) is d += a∘b).
func Sfma(dst, a, b, c []float32) {
	checkLen("Sfma", len(dst), len(a), len(b), len(c))
	n := len(dst)
	k.sfma(dst, a[:n], b[:n], c[:n])
}

// SmaskedDot returns Σ a[i]·b[i] over the i < len(x) with !(x[i] > 0): the
// tangent part of a PReLU slope gradient (mask from the pre-activation,
// values from the tangents). A NaN x[i] counts on the x ≤ 0 side, as in
// SleakyReLUBackward.
func SmaskedDot(x, a, b []float32) float32 {
	checkLen("SmaskedDot", len(x), len(a), len(b))
	n := len(x)
	return k.smaskedDot(x, a[:n], b[:n])
}

// SleakyReLUBackwardDot sets dx[i] = dy[i] if x[i] > 0, else slope·dy[i]
// (as SleakyReLUBackward does) and returns Σ dy[i]·z[i] over !(x[i] > 0):
// the masked scaling of a cotangent together with the slope gradient it
// pairs with a tangent z. With z = x it is SleakyReLUBackward. dx may alias
// dy.
func SleakyReLUBackwardDot(dx, x, dy, z []float32, slope float32) float32 {
	checkLen("SleakyReLUBackwardDot", len(x), len(dx), len(dy), len(z))
	n := len(x)
	return k.sleakyReLUBackwardDot(dx[:n], x, dy[:n], z[:n], slope)
}

// SsiluDerivs sets, for i < len(x), from s[i] = sigmoid(x[i]):
//
//	d1[i] = silu'(x)·dy[i]  = (s + x·u)·dy,  u = s − s·s (one FMA each)
//	d2[i] = silu″(x)        = u·(x·(1 − 2s) + 2)
//
// Without dy (len(dy) = 0) d1 is silu'(x) itself; without d2 (len(d2) =
// 0) the second derivative is skipped. d1 may alias dy.
func SsiluDerivs(d1, d2, x, s, dy []float32) {
	n := len(x)
	checkLen("SsiluDerivs", n, len(d1), len(s))
	d1 = d1[:n]
	if len(d2) > 0 {
		checkLen("SsiluDerivs", n, len(d2))
		d2 = d2[:n]
	}
	if len(dy) > 0 {
		checkLen("SsiluDerivs", n, len(dy))
		dy = dy[:n]
	}
	k.ssiluDerivs(d1, d2, x, s[:n], dy)
}

// SsigmoidDerivs sets, from y[i] = sigmoid(x[i]), d1[i] = sigmoid'(x)·dy[i]
// = y(1−y)·dy and d2[i] = sigmoid″(x) = y(1−y)(1−2y), with dy and d2
// optional as in SsiluDerivs. Softplus's second derivative is the first
// derivative of sigmoid: SsigmoidDerivs(d2, nil, s, nil).
func SsigmoidDerivs(d1, d2, y, dy []float32) {
	quadDerivs("SsigmoidDerivs", d1, d2, y, dy, -1, 1, 0, -2, 1)
}

// StanhDerivs sets, from y[i] = tanh(x[i]), d1[i] = tanh'(x)·dy[i] =
// (1−y²)·dy and d2[i] = tanh″(x) = −2y(1−y²), with dy and d2 optional as in
// SsiluDerivs.
func StanhDerivs(d1, d2, y, dy []float32) { quadDerivs("StanhDerivs", d1, d2, y, dy, -1, 0, 1, -2, 0) }

// quadDerivs runs the kernel of derivatives that are polynomials in the
// activation's output: d1 = (a·y + b)·y + c (two FMAs), d2 = d1·(p·y + q).
func quadDerivs(name string, d1, d2, y, dy []float32, a, b, c, p, q float32) {
	n := len(y)
	checkLen(name, n, len(d1))
	d1 = d1[:n]
	if len(d2) > 0 {
		checkLen(name, n, len(d2))
		d2 = d2[:n]
	}
	if len(dy) > 0 {
		checkLen(name, n, len(dy))
		dy = dy[:n]
	}
	k.squadDerivs(d1, d2, y, dy, a, b, c, p, q)
}

// The twins. Operands arrive with their lengths checked and trimmed; d2 and
// dy are empty when absent.

func sfmaGeneric(dst, a, b, c []float32) {
	for i := range dst {
		dst[i] = fma32(a[i], b[i], c[i])
	}
}

func smaskedDotGeneric(x, a, b []float32) float32 {
	var s float32
	for i, v := range x {
		if !(v > 0) {
			s += a[i] * b[i]
		}
	}
	return s
}

func sleakyReLUBackwardDotGeneric(dx, x, dy, z []float32, slope float32) float32 {
	var s float32
	for i, v := range x {
		d := dy[i] // read before dx[i] is written: dx may alias dy
		if v > 0 {
			dx[i] = d
		} else {
			dx[i] = slope * d
			s += d * z[i]
		}
	}
	return s
}

func ssiluDerivsGeneric(d1, d2, x, s, dy []float32) {
	for i, xi := range x {
		si := s[i]
		u := fma32(-si, si, si)
		if len(d2) > 0 {
			d2[i] = u * fma32(xi, fma32(-2, si, 1), 2)
		}
		d := fma32(xi, u, si)
		if len(dy) > 0 {
			d *= dy[i]
		}
		d1[i] = d
	}
}

func squadDerivsGeneric(d1, d2, y, dy []float32, a, b, c, p, q float32) {
	for i, yi := range y {
		d := fma32(fma32(a, yi, b), yi, c)
		if len(d2) > 0 {
			d2[i] = d * fma32(p, yi, q)
		}
		if len(dy) > 0 {
			d *= dy[i]
		}
		d1[i] = d
	}
}
