//go:build amd64 && !noasm

package asm

// Assembly vector kernels (vector_avx2_amd64.s, vector_avx512_amd64.s). Each
// implements the pure-Go twin named in its comment, on slices whose lengths
// the public wrappers have already checked: the kernels read len of the first
// slice argument and trust the others to be at least as long.

func vectorAVX2(t *kernels) {
	t.sdot, t.ddot = sdotAVX2, ddotAVX2
	t.saxpy, t.daxpy = saxpyAVX2, daxpyAVX2
	t.sscal, t.dscal = sscalAVX2, dscalAVX2
	t.sadd, t.dadd = saddAVX2, daddAVX2
	t.ssub, t.dsub = ssubAVX2, dsubAVX2
	t.smul, t.dmul = smulAVX2, dmulAVX2
	t.ssum, t.dsum = ssumAVX2, dsumAVX2
	t.smaxabs, t.dmaxabs = smaxabsAVX2, dmaxabsAVX2
}

func vectorAVX512(t *kernels) {
	t.sdot, t.ddot = sdotAVX512, ddotAVX512
	t.saxpy, t.daxpy = saxpyAVX512, daxpyAVX512
	t.sscal, t.dscal = sscalAVX512, dscalAVX512
	t.sadd, t.dadd = saddAVX512, daddAVX512
	t.ssub, t.dsub = ssubAVX512, dsubAVX512
	t.smul, t.dmul = smulAVX512, dmulAVX512
	t.ssum, t.dsum = ssumAVX512, dsumAVX512
	t.smaxabs, t.dmaxabs = smaxabsAVX512, dmaxabsAVX512
}

// sdotAVX512 is sdotGeneric: Σ x[i]·y[i], summed in a different order.
//
//go:noescape
func sdotAVX512(x, y []float32) float32

// ddotAVX512 is ddotGeneric: Σ x[i]·y[i], summed in a different order.
//
//go:noescape
func ddotAVX512(x, y []float64) float64

// sdotAVX2 is sdotGeneric: Σ x[i]·y[i], summed in a different order.
//
//go:noescape
func sdotAVX2(x, y []float32) float32

// ddotAVX2 is ddotGeneric: Σ x[i]·y[i], summed in a different order.
//
//go:noescape
func ddotAVX2(x, y []float64) float64

// saxpyAVX512 is saxpyGeneric: y[i] += alpha·x[i] for i < len(x), with one rounding (FMA).
//
//go:noescape
func saxpyAVX512(alpha float32, x, y []float32)

// daxpyAVX512 is daxpyGeneric: y[i] += alpha·x[i] for i < len(x), with one rounding (FMA).
//
//go:noescape
func daxpyAVX512(alpha float64, x, y []float64)

// saxpyAVX2 is saxpyGeneric: y[i] += alpha·x[i] for i < len(x), with one rounding (FMA).
//
//go:noescape
func saxpyAVX2(alpha float32, x, y []float32)

// daxpyAVX2 is daxpyGeneric: y[i] += alpha·x[i] for i < len(x), with one rounding (FMA).
//
//go:noescape
func daxpyAVX2(alpha float64, x, y []float64)

// sscalAVX512 is sscalGeneric: x[i] *= alpha.
//
//go:noescape
func sscalAVX512(alpha float32, x []float32)

// dscalAVX512 is dscalGeneric: x[i] *= alpha.
//
//go:noescape
func dscalAVX512(alpha float64, x []float64)

// sscalAVX2 is sscalGeneric: x[i] *= alpha.
//
//go:noescape
func sscalAVX2(alpha float32, x []float32)

// dscalAVX2 is dscalGeneric: x[i] *= alpha.
//
//go:noescape
func dscalAVX2(alpha float64, x []float64)

// saddAVX512 is saddGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func saddAVX512(dst, a, b []float32)

// daddAVX512 is daddGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func daddAVX512(dst, a, b []float64)

// saddAVX2 is saddGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func saddAVX2(dst, a, b []float32)

// daddAVX2 is daddGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func daddAVX2(dst, a, b []float64)

// ssubAVX512 is ssubGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func ssubAVX512(dst, a, b []float32)

// dsubAVX512 is dsubGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func dsubAVX512(dst, a, b []float64)

// ssubAVX2 is ssubGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func ssubAVX2(dst, a, b []float32)

// dsubAVX2 is dsubGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func dsubAVX2(dst, a, b []float64)

// smulAVX512 is smulGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func smulAVX512(dst, a, b []float32)

// dmulAVX512 is dmulGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func dmulAVX512(dst, a, b []float64)

// smulAVX2 is smulGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func smulAVX2(dst, a, b []float32)

// dmulAVX2 is dmulGeneric over len(dst); dst may alias a or b.
//
//go:noescape
func dmulAVX2(dst, a, b []float64)

// ssumAVX512 is ssumGeneric, summed in a different order.
//
//go:noescape
func ssumAVX512(x []float32) float32

// dsumAVX512 is dsumGeneric, summed in a different order.
//
//go:noescape
func dsumAVX512(x []float64) float64

// ssumAVX2 is ssumGeneric, summed in a different order.
//
//go:noescape
func ssumAVX2(x []float32) float32

// dsumAVX2 is dsumGeneric, summed in a different order.
//
//go:noescape
func dsumAVX2(x []float64) float64

// smaxabsAVX512 is smaxabsGeneric: max |x[i]|, NaN if any x[i] is NaN, 0 if x is empty.
//
//go:noescape
func smaxabsAVX512(x []float32) float32

// dmaxabsAVX512 is dmaxabsGeneric: max |x[i]|, NaN if any x[i] is NaN, 0 if x is empty.
//
//go:noescape
func dmaxabsAVX512(x []float64) float64

// smaxabsAVX2 is smaxabsGeneric: max |x[i]|, NaN if any x[i] is NaN, 0 if x is empty.
//
//go:noescape
func smaxabsAVX2(x []float32) float32

// dmaxabsAVX2 is dmaxabsGeneric: max |x[i]|, NaN if any x[i] is NaN, 0 if x is empty.
//
//go:noescape
func dmaxabsAVX2(x []float64) float64
