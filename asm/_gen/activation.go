package main

import (
	"math"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The activation kernels (asm/activation.go; twins in
// asm/activation_generic.go, which explains the algorithms). Every smooth
// one is built on one vectorised exp: clamp, Cody–Waite reduction
// x = n·ln2 + r, a degree-6 polynomial in Horner form with FMAs, and the
// scaling by 2^n. The avx2 kernels read their constants from 32-byte
// tables; the avx512 kernels keep them in the upper zmm registers.
func activation() *KernelFamily {
	f := &KernelFamily{Name: "activation", Doc: map[*Tier]string{
		AVX2: `Activation kernels for the avx2 tier (AVX, AVX2, FMA3). Each kernel runs
the algorithm of its pure-Go twin in activation_generic.go, 8 lanes at a
time; the tail of 1–7 elements uses VMASKMOVPS (which does not touch
masked-off memory). Constants live in 32-byte tables used as memory
operands, except the clamp bounds of exp, which must be the first source
of VMAXPS/VMINPS so that NaN survives.`,
		AVX512: `Activation kernels for the avx512 tier (AVX-512 F and DQ). Each kernel
runs the algorithm of its pure-Go twin in activation_generic.go, 16 lanes
at a time; the tail uses an opmask (K1) so no lane past the end is read or
written. The loops handle one zmm per iteration: the work per vector is
long and the iterations are independent, so out-of-order execution
overlaps them without unrolling.`,
	}}
	unary := func(name string, body func(a *Asm)) *Kernel {
		return &Kernel{Slot: "s" + name, Sig: "func(dst, x []float32)", Doc: "is s" + name + "Generic.", Body: body}
	}
	f.Kernels = []*Kernel{
		unary("exp", sexp),
		unary("sigmoid", ssigmoid),
		unary("silu", ssilu),
		unary("softplus", ssoftplus),
		unary("tanh", stanh),
		{Slot: "selu", Sig: "func(dst, x []float32, alpha float32)", Doc: "is seluGeneric.", Body: selu,
			Tiers: []*Tier{AVX2}},
		{Slot: "sleakyReLU", Sig: "func(dst, x []float32, slope float32)", Doc: "is sleakyReLUGeneric.", Body: sleakyReLU},
		{Slot: "sleakyReLUBackward", Sig: "func(dx, x, dy []float32, slope float32) float32",
			Doc: "is sleakyReLUBackwardGeneric, summing in a different order.", Body: sleakyReLUBackward},
	}
	return f
}

// f32 is the bit pattern of a float32 constant.
func f32(x float32) uint32 { return math.Float32bits(x) }

// The constants of the twins (activation_generic.go), as float32 bits.
var (
	expLo, expHi               = f32(-104), f32(89)
	log2e, ln2Hi, ln2Lo        = f32(0x1.715476p+00), f32(0x1.62e43p-01), f32(-0x1.05c61p-29)
	expC                       = [...]uint32{2: f32(0x1.fffffcp-02), f32(0x1.555418p-03), f32(0x1.555824p-05), f32(0x1.1267cp-07), f32(0x1.6ae6f6p-10)}
	one, two, minusTwo         = f32(1), f32(2), f32(-2)
	signBit, negMax            = uint32(0x80000000), f32(-math.MaxFloat32)
	expBias                    = uint32(127 << 23)
	log1pR                     = [...]uint32{f32(0x1.555502p-04), f32(0x1.99d208p-07), f32(0x1.1ebd0cp-09), f32(0x1.1ed7c4p-11)}
	tanhSmall                  = f32(0x1.ccccccp-01)
	tanhP                      = [...]uint32{f32(-0x1.55554ep-02), f32(0x1.110f34p-03), f32(-0x1.b9c9f2p-05), f32(0x1.62ef7cp-06), f32(-0x1.0ed004p-07), f32(0x1.5283f4p-09), f32(-0x1.dd959ap-12)}
	cmpLtOQ, cmpGtOQ, cmpNgtUQ = U8(0x11), U8(0x1e), U8(0x1a) // VCMPPS predicates
	eluSmall                   = f32(-0x1.62e43p-02)
	eluT                       = [...]uint32{1: f32(1), f32(1.0 / 2), f32(1.0 / 6), f32(1.0 / 24), f32(1.0 / 120), f32(1.0 / 720), f32(1.0 / 5040)}
)

// ---- avx2 ----

// c8 is the 32-byte table of the float32 constant with the given bits.
func c8(a *Asm, name string, bits uint32) Mem { return a.Splat8(name, bits) }

// expConsts8 loads the clamp bounds of exp8 into Y15 and Y14.
func expConsts8(a *Asm) {
	a.VMOVUPS(c8(a, "explo", expLo), Y(15))
	a.VMOVUPS(c8(a, "exphi", expHi), Y(14))
}

// exp8 replaces x by exp(x) (exp32 in activation_generic.go), using n, r
// and t as scratch. The scaling by 2^n is done in two integer exponent
// steps, (p·2^⌊n/2⌋)·2^(n−⌊n/2⌋), so that it overflows to +Inf and
// underflows gradually exactly like a single correctly rounded p·2^n.
func exp8(a *Asm, x, n, r, t VecPhysical) {
	a.VMAXPS(x, Y(15), x)
	a.VMINPS(x, Y(14), x)
	a.VMULPS(c8(a, "log2e", log2e), x, n)
	a.VROUNDPS(U8(0), n, n)
	a.VFNMADD231PS(c8(a, "ln2hi", ln2Hi), n, x)
	a.VFNMADD231PS(c8(a, "ln2lo", ln2Lo), n, x)
	a.VMOVUPS(c8(a, "expc6", expC[6]), r)
	for i := 5; i >= 2; i-- {
		a.VFMADD213PS(c8(a, sprintf("expc%d", i), expC[i]), x, r)
	}
	a.VFMADD213PS(c8(a, "one", one), x, r)
	a.VFMADD213PS(c8(a, "one", one), x, r)
	a.VCVTPS2DQ(n, n)
	a.VPSRAD(U8(1), n, t)
	a.VPSUBD(t, n, n)
	a.VPSLLD(U8(23), t, t)
	a.VPSLLD(U8(23), n, n)
	a.VPADDD(c8(a, "bias", expBias), t, t)
	a.VPADDD(c8(a, "bias", expBias), n, n)
	a.VMULPS(t, r, r)
	a.VMULPS(n, r, x)
}

// tailMask8 sets mask to all ones in the low CX lanes (0 < CX < 8).
func tailMask8(a *Asm, mask VecPhysical) {
	a.VMOVD(ECX, mask.AsX())
	a.VPBROADCASTD(mask.AsX(), mask)
	a.VPCMPGTD(a.Iota32("iota", 8), mask, mask)
}

// ---- avx512 ----

// bcast16 broadcasts a float32, given by its bits, into every lane of z.
func bcast16(a *Asm, bits uint32, z VecPhysical) {
	a.MOVL(U32(bits), EAX)
	a.VPBROADCASTD(EAX, z)
}

// expConsts16 loads the constants of exp16 into Z21–Z31.
func expConsts16(a *Asm) {
	for i, c := range []uint32{expLo, expHi, log2e, ln2Hi, ln2Lo, expC[6], expC[5], expC[4], expC[3], expC[2], one} {
		bcast16(a, c, Z(31-i))
	}
}

// exp16 replaces x by exp(x), using n and r as scratch. The clamp keeps
// NaN: VMAXPS/VMINPS return their second source (x here) when either
// operand is NaN. VSCALEFPS rounds p·2^n once, with overflow to +Inf and
// gradual underflow, as the twin's two-step scaling does.
func exp16(a *Asm, x, n, r VecPhysical) {
	a.VMAXPS(x, Z(31), x)
	a.VMINPS(x, Z(30), x)
	a.VMULPS(Z(29), x, n)
	a.VRNDSCALEPS(U8(0), n, n)
	a.VFNMADD231PS(Z(28), n, x)
	a.VFNMADD231PS(Z(27), n, x)
	a.VMOVAPS(Z(26), r)
	for z := 25; z >= 21; z-- {
		a.VFMADD213PS(Z(z), x, r)
	}
	a.VFMADD213PS(Z(21), x, r)
	a.VSCALEFPS(n, r, x)
}

// ---- the kernels ----

// unaryLoop is the loop of a kernel dst[i] = f(x[i]): body maps V0 to V0,
// one vector at a time, then the tail under a mask.
func unaryLoop(a *Asm, body func()) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	a.MOVQ(a.Arg("dst_base"), RDI)
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.Label("loop")
	a.CMPQ(RCX, C(lanes))
	a.JL(L("tail"))
	a.VMOVUPS(M(RSI, 0), a.V(0))
	body()
	a.VMOVUPS(a.V(0), M(RDI, 0))
	a.ADDQ(C(vb), RSI)
	a.ADDQ(C(vb), RDI)
	a.SUBQ(C(lanes), RCX)
	a.JMP(L("loop"))
	a.Label("tail")
	a.TESTQ(RCX, RCX)
	a.JZ(L("done"))
	if a.Tier == AVX512 {
		lowMask(a, K(1))
		a.VMOVUPS_Z(M(RSI, 0), K(1), Z(0))
		body()
		a.VMOVUPS(Z(0), K(1), M(RDI, 0))
	} else {
		tailMask8(a, Y(13))
		a.VMASKMOVPS(M(RSI, 0), Y(13), Y(0))
		body()
		a.VMASKMOVPS(Y(0), Y(13), M(RDI, 0))
	}
	a.Label("done")
	epilogue(a)
}

func sexp(a *Asm) {
	if a.Tier == AVX512 {
		expConsts16(a)
		unaryLoop(a, func() { exp16(a, Z(0), Z(1), Z(2)) })
		return
	}
	expConsts8(a)
	unaryLoop(a, func() { exp8(a, Y(0), Y(1), Y(2), Y(3)) })
}

// ssigmoid: V0 = 1/(1+exp(−V0)).
func ssigmoid(a *Asm) {
	if a.Tier == AVX512 {
		expConsts16(a)
		bcast16(a, signBit, Z(20))
		unaryLoop(a, func() {
			a.VXORPS(Z(20), Z(0), Z(1))
			exp16(a, Z(1), Z(2), Z(3))
			a.VADDPS(Z(21), Z(1), Z(1))
			a.VDIVPS(Z(1), Z(21), Z(0))
		})
		return
	}
	expConsts8(a)
	unaryLoop(a, func() {
		a.VXORPS(c8(a, "sign", signBit), Y(0), Y(1))
		exp8(a, Y(1), Y(2), Y(3), Y(4))
		a.VADDPS(c8(a, "one", one), Y(1), Y(1))
		a.VMOVUPS(c8(a, "one", one), Y(0))
		a.VDIVPS(Y(1), Y(0), Y(0))
	})
}

// ssilu: V0 = max(V0, −MaxFloat32)/(1+exp(−V0)).
func ssilu(a *Asm) {
	if a.Tier == AVX512 {
		expConsts16(a)
		bcast16(a, signBit, Z(20))
		bcast16(a, negMax, Z(19))
		unaryLoop(a, func() {
			a.VXORPS(Z(20), Z(0), Z(1))
			exp16(a, Z(1), Z(2), Z(3))
			a.VADDPS(Z(21), Z(1), Z(1))
			a.VMAXPS(Z(0), Z(19), Z(0))
			a.VDIVPS(Z(1), Z(0), Z(0))
		})
		return
	}
	expConsts8(a)
	a.VMOVUPS(c8(a, "negmax", negMax), Y(12))
	unaryLoop(a, func() {
		a.VXORPS(c8(a, "sign", signBit), Y(0), Y(1))
		exp8(a, Y(1), Y(2), Y(3), Y(4))
		a.VADDPS(c8(a, "one", one), Y(1), Y(1))
		a.VMAXPS(Y(0), Y(12), Y(0))
		a.VDIVPS(Y(1), Y(0), Y(0))
	})
}

// ssoftplus: V0 = max(V0, 0) + log1p(exp(−|V0|)), log1p as log1p01:
// u = exp(−|x|), s = u/(2+u), t = u − u·s, y = t², log1p(u) = t + t·y·R(y).
// The polynomial R is in the registers or tables r[0..3] (highest
// coefficient first), the constant 2 in two, 0 in zero.
func ssoftplus(a *Asm) {
	var exp func(x, n, r, t VecPhysical)
	var sign, twoOp Op
	var r [4]Op
	var zero VecPhysical
	if a.Tier == AVX512 {
		expConsts16(a)
		bcast16(a, signBit, Z(20))
		bcast16(a, two, Z(19))
		for i := 3; i >= 0; i-- {
			bcast16(a, log1pR[i], Z(15+i))
		}
		a.VPXORD(Z(14), Z(14), Z(14))
		exp = func(x, n, r, _ VecPhysical) { exp16(a, x, n, r) }
		sign, twoOp, zero = Z(20), Z(19), Z(14)
		r = [4]Op{Z(18), Z(17), Z(16), Z(15)}
	} else {
		expConsts8(a)
		a.VXORPS(Y(12), Y(12), Y(12))
		exp = func(x, n, r, t VecPhysical) { exp8(a, x, n, r, t) }
		sign, twoOp, zero = c8(a, "sign", signBit), c8(a, "two", two), Y(12)
		for i := 3; i >= 0; i-- {
			r[3-i] = c8(a, sprintf("l1pr%d", i), log1pR[i])
		}
	}
	v := a.V
	unaryLoop(a, func() {
		a.VORPS(sign, v(0), v(1))
		exp(v(1), v(2), v(3), v(4))
		a.VADDPS(twoOp, v(1), v(2))
		a.VDIVPS(v(2), v(1), v(2))
		a.VFNMADD231PS(v(2), v(1), v(1))
		a.VMULPS(v(1), v(1), v(2))
		if a.Tier == AVX512 {
			a.VMOVAPS(r[0], v(3))
		} else {
			a.VMOVUPS(r[0], v(3))
		}
		for _, c := range r[1:] {
			a.VFMADD213PS(c, v(2), v(3))
		}
		a.VMULPS(v(2), v(1), v(2))
		a.VFMADD231PS(v(3), v(2), v(1))
		a.VMAXPS(v(0), zero, v(0))
		a.VADDPS(v(1), v(0), v(0))
	})
}

// stanh: V0 = sign(V0)·tanhAbs(|V0|). Both branches of tanhAbs are
// computed and blended on |x| < tanhSmall.
func stanh(a *Asm) {
	if a.Tier == AVX512 {
		expConsts16(a)
		bcast16(a, signBit, Z(20))
		bcast16(a, two, Z(19))
		bcast16(a, tanhSmall, Z(18))
		for i := 6; i >= 0; i-- {
			bcast16(a, tanhP[i], Z(11+i))
		}
		unaryLoop(a, func() {
			a.VANDNPS(Z(0), Z(20), Z(1))
			a.VMULPS(Z(1), Z(1), Z(2))
			a.VMOVAPS(Z(17), Z(3))
			for z := 16; z >= 11; z-- {
				a.VFMADD213PS(Z(z), Z(2), Z(3))
			}
			a.VMULPS(Z(2), Z(1), Z(2))
			a.VFMADD213PS(Z(1), Z(2), Z(3))
			a.VADDPS(Z(1), Z(1), Z(4))
			exp16(a, Z(4), Z(5), Z(6))
			a.VADDPS(Z(21), Z(4), Z(4))
			a.VDIVPS(Z(4), Z(19), Z(4))
			a.VSUBPS(Z(4), Z(21), Z(4))
			a.VCMPPS(cmpLtOQ, Z(18), Z(1), K(2))
			a.VMOVAPS(Z(3), K(2), Z(4))
			a.VANDPS(Z(20), Z(0), Z(0))
			a.VORPS(Z(4), Z(0), Z(0))
		})
		return
	}
	expConsts8(a)
	a.VMOVUPS(c8(a, "sign", signBit), Y(12))
	unaryLoop(a, func() {
		a.VANDNPS(Y(0), Y(12), Y(1))
		a.VMULPS(Y(1), Y(1), Y(2))
		a.VMOVUPS(c8(a, "tp6", tanhP[6]), Y(3))
		for i := 5; i >= 0; i-- {
			a.VFMADD213PS(c8(a, sprintf("tp%d", i), tanhP[i]), Y(2), Y(3))
		}
		a.VMULPS(Y(2), Y(1), Y(2))
		a.VFMADD213PS(Y(1), Y(2), Y(3))
		a.VADDPS(Y(1), Y(1), Y(4))
		exp8(a, Y(4), Y(5), Y(6), Y(7))
		a.VADDPS(c8(a, "one", one), Y(4), Y(4))
		a.VMOVUPS(c8(a, "two", two), Y(5))
		a.VDIVPS(Y(4), Y(5), Y(4))
		a.VMOVUPS(c8(a, "one", one), Y(5))
		a.VSUBPS(Y(4), Y(5), Y(4))
		a.VCMPPS(cmpLtOQ, c8(a, "tsmall", tanhSmall), Y(1), Y(5))
		a.VBLENDVPS(Y(5), Y(3), Y(4), Y(4))
		a.VANDPS(Y(12), Y(0), Y(0))
		a.VORPS(Y(4), Y(0), Y(0))
	})
}

// selu (avx2 only: the avx512 tier keeps this kernel): V0 = x > 0 ? x :
// α·(x > eluSmall ? Taylor(x) : e^x − 1). Y12 = α, Y11 = 0.
func selu(a *Asm) {
	expConsts8(a)
	a.VBROADCASTSS(a.Arg("alpha"), Y(12))
	a.VXORPS(Y(11), Y(11), Y(11))
	unaryLoop(a, func() {
		a.VMOVAPS(Y(0), Y(1))
		exp8(a, Y(1), Y(2), Y(3), Y(4))
		a.VSUBPS(c8(a, "one", one), Y(1), Y(1))
		a.VMOVUPS(c8(a, "elut7", eluT[7]), Y(2))
		for i := 6; i >= 1; i-- {
			a.VFMADD213PS(c8(a, sprintf("elut%d", i), eluT[i]), Y(0), Y(2))
		}
		a.VMULPS(Y(0), Y(2), Y(2))
		a.VCMPPS(cmpGtOQ, c8(a, "elusmall", eluSmall), Y(0), Y(3))
		a.VBLENDVPS(Y(3), Y(2), Y(1), Y(1))
		a.VMULPS(Y(12), Y(1), Y(1))
		a.VCMPPS(cmpGtOQ, Y(11), Y(0), Y(3))
		a.VBLENDVPS(Y(3), Y(0), Y(1), Y(0))
	})
}

// sleakyReLU: dst = x > 0 ? x : slope·x, 4 vectors per iteration, then
// one, then the tail. V31/Y15 = slope, V30/Y14 = 0.
func sleakyReLU(a *Asm) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	var lrelu func(v, d, m VecPhysical) // d = leaky ReLU of v; m is scratch
	if a.Tier == AVX512 {
		a.VBROADCASTSS(a.Arg("slope"), Z(31))
		a.VPXORD(Z(30), Z(30), Z(30))
		// In place, under K2 = !(x > 0) (NGT_UQ, so NaN too).
		lrelu = func(v, _, _ VecPhysical) {
			a.VCMPPS(cmpNgtUQ, Z(30), v, K(2))
			a.VMULPS(Z(31), v, K(2), v)
		}
	} else {
		a.VBROADCASTSS(a.Arg("slope"), Y(15))
		a.VXORPS(Y(14), Y(14), Y(14))
		// d = x > 0 (GT_OQ) ? v : slope·v.
		lrelu = func(v, d, m VecPhysical) {
			a.VMULPS(Y(15), v, d)
			a.VCMPPS(cmpGtOQ, Y(14), v, m)
			a.VBLENDVPS(m, v, d, d)
		}
	}
	a.MOVQ(a.Arg("dst_base"), RDI)
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	// out is where the result of input register i lands.
	out := func(i int) VecPhysical {
		if a.Tier == AVX512 {
			return Z(i)
		}
		return Y(4 + i)
	}
	big, small := sprintf("lrelu%d", 4*lanes), sprintf("lrelu%d", lanes)
	a.Label(big)
	a.CMPQ(RCX, C(4*lanes))
	a.JL(L(small))
	for i := 0; i < 4; i++ {
		a.VMOVUPS(M(RSI, i*vb), a.V(i))
	}
	for i := 0; i < 4; i++ {
		lrelu(a.V(i), out(i), a.V(8+i))
	}
	for i := 0; i < 4; i++ {
		a.VMOVUPS(out(i), M(RDI, i*vb))
	}
	a.ADDQ(C(4*vb), RSI)
	a.ADDQ(C(4*vb), RDI)
	a.SUBQ(C(4*lanes), RCX)
	a.JMP(L(big))

	a.Label(small)
	a.CMPQ(RCX, C(lanes))
	a.JL(L("lrelutail"))
	a.VMOVUPS(M(RSI, 0), a.V(0))
	lrelu(a.V(0), out(0), a.V(8))
	a.VMOVUPS(out(0), M(RDI, 0))
	a.ADDQ(C(vb), RSI)
	a.ADDQ(C(vb), RDI)
	a.SUBQ(C(lanes), RCX)
	a.JMP(L(small))

	a.Label("lrelutail")
	a.TESTQ(RCX, RCX)
	a.JZ(L("lreludone"))
	if a.Tier == AVX512 {
		lowMask(a, K(1))
		a.VMOVUPS_Z(M(RSI, 0), K(1), Z(0))
		lrelu(Z(0), Z(0), nil)
		a.VMOVUPS(Z(0), K(1), M(RDI, 0))
	} else {
		tailMask8(a, Y(13))
		a.VMASKMOVPS(M(RSI, 0), Y(13), Y(0))
		lrelu(Y(0), Y(4), Y(8))
		a.VMASKMOVPS(Y(4), Y(13), M(RDI, 0))
	}
	a.Label("lreludone")
	epilogue(a)
}

// sleakyReLUBackward: dx = x > 0 ? dy : slope·dy, and the sum of dy·x over
// the other lanes. avx512: 4 vectors per iteration and 4 accumulators
// (Z8–Z11); avx2: 2 and 2 (Y10, Y11).
func sleakyReLUBackward(a *Asm) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	// n vectors per iteration: x in V(i), dy in V(dy+i), dx written to
	// out(i), accumulated into V(acc+i).
	var n, dy, acc int
	var step func(i int)
	var out func(i int) VecPhysical
	a.VBROADCASTSS(a.Arg("slope"), a.V(a.Tier.scalarReg()))
	if a.Tier == AVX512 {
		n, dy, acc = 4, 4, 8
		a.VPXORD(Z(30), Z(30), Z(30))
		for i := 8; i < 12; i++ {
			a.VPXORD(Z(i), Z(i), Z(i))
		}
		// Under K2 = !(x > 0): acc += dy·x, dy = slope·dy (now dx).
		step = func(i int) {
			x, d := Z(i), Z(dy+i)
			a.VCMPPS(cmpNgtUQ, Z(30), x, K(2))
			a.VFMADD231PS(x, d, K(2), Z(acc+i))
			a.VMULPS(Z(31), d, K(2), d)
		}
		out = func(i int) VecPhysical { return Z(dy + i) }
	} else {
		n, dy, acc = 2, 2, 10
		a.VXORPS(Y(14), Y(14), Y(14))
		a.VXORPS(Y(10), Y(10), Y(10))
		a.VXORPS(Y(11), Y(11), Y(11))
		// The product is masked after the multiply (not x before it) so
		// that dy = ±Inf or NaN in a lane with x > 0 adds nothing, as in
		// the twin. Y4+i = dx; Y6+i and Y8+i are scratch.
		step = func(i int) {
			x, d, m, p, o := Y(i), Y(dy+i), Y(6+i), Y(8+i), Y(4+i)
			a.VCMPPS(cmpGtOQ, Y(14), x, m)
			a.VMULPS(d, x, p)
			a.VANDNPS(p, m, p)
			a.VADDPS(p, Y(acc+i), Y(acc+i))
			a.VMULPS(Y(15), d, o)
			a.VBLENDVPS(m, d, o, o)
		}
		out = func(i int) VecPhysical { return Y(4 + i) }
	}
	a.MOVQ(a.Arg("dx_base"), RDI)
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.MOVQ(a.Arg("dy_base"), RDX)

	big, small := sprintf("lrb%d", n*lanes), sprintf("lrb%d", lanes)
	a.Label(big)
	a.CMPQ(RCX, C(n*lanes))
	a.JL(L(small))
	for i := 0; i < n; i++ {
		a.VMOVUPS(M(RSI, i*vb), a.V(i))
	}
	for i := 0; i < n; i++ {
		a.VMOVUPS(M(RDX, i*vb), a.V(dy+i))
	}
	for i := 0; i < n; i++ {
		step(i)
	}
	for i := 0; i < n; i++ {
		a.VMOVUPS(out(i), M(RDI, i*vb))
	}
	for _, p := range []Register{RSI, RDX, RDI} {
		a.ADDQ(C(n*vb), p)
	}
	a.SUBQ(C(n*lanes), RCX)
	a.JMP(L(big))

	a.Label(small)
	a.CMPQ(RCX, C(lanes))
	a.JL(L("lrbtail"))
	a.VMOVUPS(M(RSI, 0), a.V(0))
	a.VMOVUPS(M(RDX, 0), a.V(dy))
	step(0)
	a.VMOVUPS(out(0), M(RDI, 0))
	for _, p := range []Register{RSI, RDX, RDI} {
		a.ADDQ(C(vb), p)
	}
	a.SUBQ(C(lanes), RCX)
	a.JMP(L(small))

	a.Label("lrbtail")
	a.TESTQ(RCX, RCX)
	a.JZ(L("lrbsum"))
	if a.Tier == AVX512 {
		lowMask(a, K(1))
		a.Comment("masked-off lanes: x = dy = 0 adds 0")
		a.VMOVUPS_Z(M(RSI, 0), K(1), Z(0))
		a.VMOVUPS_Z(M(RDX, 0), K(1), Z(dy))
		step(0)
		a.VMOVUPS(out(0), K(1), M(RDI, 0))
	} else {
		tailMask8(a, Y(13))
		a.VMASKMOVPS(M(RSI, 0), Y(13), Y(0))
		a.VMASKMOVPS(M(RDX, 0), Y(13), Y(dy))
		step(0)
		a.VMASKMOVPS(out(0), Y(13), M(RDI, 0))
	}

	a.Label("lrbsum")
	if a.Tier == AVX512 {
		a.VADDPS(Z(9), Z(8), Z(8))
		a.VADDPS(Z(11), Z(10), Z(10))
		a.VADDPS(Z(10), Z(8), Z(8))
		a.VEXTRACTF64X4(U8(1), Z(8), Y(9))
		a.VADDPS(Y(9), Y(8), Y(8))
		hsum128(a, X(8), X(9))
	} else {
		a.VADDPS(Y(11), Y(10), Y(10))
		hsum128(a, X(10), X(11))
	}
	epilogue(a)
}

// hsum128 adds the upper half of the ymm register of x to x, sums x's
// lanes with two horizontal adds and stores the sum as the result; t is
// scratch.
func hsum128(a *Asm, x, t VecPhysical) {
	a.VEXTRACTF128(U8(1), x.AsY(), t)
	a.VADDPS(t, x, x)
	a.VHADDPS(x, x, x)
	a.VHADDPS(x, x, x)
	a.VMOVSS(x, a.Ret())
}
