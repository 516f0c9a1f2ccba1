package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The vector kernels (asm/vector.go): dot, axpy, scal, add, sub, mul, sum
// and maxabs, for float32 and float64. Loops run 4 vector registers per
// iteration, then single ones; the avx512 tail uses an opmask, the avx2
// tail is scalar. Reductions keep 4 independent accumulators.
func vector() *KernelFamily {
	f := &KernelFamily{Name: "vector", Doc: map[*Tier]string{
		AVX512: `Vector kernels for the avx512 tier. Loops run 4 zmm registers (64 float32
or 32 float64) per iteration, then single zmm registers; the tail uses an
opmask, so no element past the end is read or written (masked-off lanes
of a load never fault). Reductions keep 4 independent accumulators, to
hide the latency of the adds, and sum them pairwise at the end.

maxabs compares bit patterns as unsigned integers with the sign bit
cleared: for non-negative floats that order is the float order, and every
NaN pattern lies above +Inf, so one NaN anywhere makes the result NaN
(VMAXPS would drop a NaN held in its first operand).`,
		AVX2: `Vector kernels for the avx2 tier. Loops run 4 ymm registers (32 float32
or 16 float64) per iteration, then single ymm registers; the tail is
scalar (AVX2 has no cheap opmask). Reductions keep 4 independent
accumulators, reduce them to one scalar, then add the tail to it.

smaxabsAVX2 compares bit patterns as integers with the sign bit cleared:
for non-negative floats that order is the float order, and every NaN
pattern lies above +Inf, so one NaN anywhere makes the result NaN (VMAXPS
would drop a NaN held in its first operand). float64 has no VPMAXUQ before
AVX-512, so dmaxabsAVX2 takes VMAXPD of |x| and, beside it, the sum of
|x|: a sum of non-negative terms is NaN exactly when some term is NaN (it
may overflow to +Inf, never to NaN), and that catches the NaNs VMAXPD drops.`,
	}}
	type kind struct {
		name, sig, doc string
		body           func(a *Asm)
	}
	kinds := []kind{
		{"dot", "func(x, y []T) T", "is %sdotGeneric: Σ x[i]·y[i], summed in a different order.", vdot},
		{"axpy", "func(alpha T, x, y []T)", "is %saxpyGeneric: y[i] += alpha·x[i] for i < len(x), with one rounding (FMA).", vaxpy},
		{"scal", "func(alpha T, x []T)", "is %sscalGeneric: x[i] *= alpha.", vscal},
		{"add", "func(dst, a, b []T)", "is %saddGeneric over len(dst); dst may alias a or b.", vbinop((*Asm).VADDP, (*Asm).VADDS)},
		{"sub", "func(dst, a, b []T)", "is %ssubGeneric over len(dst); dst may alias a or b.", vbinop((*Asm).VSUBP, (*Asm).VSUBS)},
		{"mul", "func(dst, a, b []T)", "is %smulGeneric over len(dst); dst may alias a or b.", vbinop((*Asm).VMULP, (*Asm).VMULS)},
		{"sum", "func(x []T) T", "is %ssumGeneric, summed in a different order.", vsum},
		{"maxabs", "func(x []T) T", "is %smaxabsGeneric: max |x[i]|, NaN if any x[i] is NaN, 0 if x is empty.", vmaxabs},
	}
	for _, kd := range kinds {
		for _, e := range []*Elem{Float32, Float64} {
			f.Kernels = append(f.Kernels, &Kernel{
				Slot: e.Prefix + kd.name,
				Sig:  typed(kd.sig, e),
				Doc:  sprintf(kd.doc, e.Prefix),
				E:    e,
				Body: kd.body,
			})
		}
	}
	return f
}

// vloops writes the main loop over CX elements, 4 vectors per iteration,
// then the loop of single vectors; both advance ptrs and fall through to
// the label after.
func vloops(a *Asm, ptrs []Register, block4, block1 func(), after string) {
	vb, small := a.Tier.Bytes, a.Lanes()
	big := 4 * small
	loop4, loop1 := sprintf("loop%d", big), sprintf("loop%d", small)
	a.Label(loop4)
	a.CMPQ(RCX, C(big))
	a.JL(L(loop1))
	block4()
	for _, p := range ptrs {
		a.ADDQ(C(4*vb), p)
	}
	a.SUBQ(C(big), RCX)
	a.JMP(L(loop4))

	a.Label(loop1)
	a.CMPQ(RCX, C(small))
	a.JL(L(after))
	block1()
	for _, p := range ptrs {
		a.ADDQ(C(vb), p)
	}
	a.SUBQ(C(small), RCX)
	a.JMP(L(loop1))
}

// tailMask (avx512) starts the tail: unless CX is 0 (then it jumps to
// skip), K1 = the low CX lanes.
func tailMask(a *Asm, skip string) {
	a.Label("tail")
	a.TESTQ(RCX, RCX)
	a.JZ(L(skip))
	a.Comment("K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.")
	lowMask(a, K(1))
}

// lowMask sets opmask k to the low CX bits (CX < 16).
func lowMask(a *Asm, k Register) {
	a.MOVL(U32(1), EAX)
	a.SHLL(CL, EAX)
	a.DECL(EAX)
	a.KMOVW(EAX, k)
}

// scalarTail (avx2) does the last CX elements one at a time with body,
// advancing ptrs, then jumps to done.
func scalarTail(a *Asm, ptrs []Register, body func(), done string) {
	a.Label("tail")
	a.TESTQ(RCX, RCX)
	a.JZ(L(done))
	body()
	for _, p := range ptrs {
		a.ADDQ(C(a.E.Size), p)
	}
	a.DECQ(RCX)
	a.JMP(L("tail"))
}

// vzero clears vector registers regs.
func vzero(a *Asm, regs ...int) {
	for _, i := range regs {
		if a.Tier == AVX512 {
			a.VPXORD(Z(i), Z(i), Z(i))
		} else {
			a.VXORPS(Y(i), Y(i), Y(i))
		}
	}
}

// hsum adds the accumulators V0..V3 and reduces them to the low lane of X0.
func hsum(a *Asm) {
	a.VADDP(a.V(1), a.V(0), a.V(0))
	a.VADDP(a.V(3), a.V(2), a.V(2))
	a.VADDP(a.V(2), a.V(0), a.V(0))
	if a.Tier == AVX512 {
		a.VEXTRACTF64X4(U8(1), Z(0), Y(1))
		a.VADDP(Y(1), Y(0), Y(0))
	}
	a.VEXTRACTF128(U8(1), Y(0), X(1))
	a.VADDP(X(1), X(0), X(0))
	if a.E == Float32 {
		a.VMOVHLPS(X(0), X(0), X(1))
		a.VADDPS(X(1), X(0), X(0))
		a.VMOVSHDUP(X(0), X(1))
		a.VADDSS(X(1), X(0), X(0))
	} else {
		a.VUNPCKHPD(X(0), X(0), X(1))
		a.VADDSD(X(1), X(0), X(0))
	}
}

const reduceFirst = "Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes."

func epilogue(a *Asm) {
	a.VZEROUPPER()
	a.RET()
}

func vdot(a *Asm) {
	vb := a.Tier.Bytes
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.MOVQ(a.Arg("y_base"), RDI)
	vzero(a, 0, 1, 2, 3)
	block4 := func() {
		for i := 0; i < 4; i++ {
			a.VMOVUP(M(RSI, i*vb), a.V(4+i))
		}
		for i := 0; i < 4; i++ {
			a.VFMADD231P(M(RDI, i*vb), a.V(4+i), a.V(i))
		}
	}
	block1 := func() {
		a.VMOVUP(M(RSI, 0), a.V(4))
		a.VFMADD231P(M(RDI, 0), a.V(4), a.V(0))
	}
	if a.Tier == AVX512 {
		vloops(a, []Register{RSI, RDI}, block4, block1, "tail")
		tailMask(a, "reduce")
		a.VMOVUP_Z(M(RSI, 0), K(1), Z(4))
		a.VMOVUP_Z(M(RDI, 0), K(1), Z(5))
		a.VFMADD231P(Z(5), Z(4), Z(1))
		a.Label("reduce")
		hsum(a)
		a.VMOVS(X(0), a.Ret())
		epilogue(a)
		return
	}
	vloops(a, []Register{RSI, RDI}, block4, block1, "reduce")
	a.Label("reduce")
	a.Comment(reduceFirst)
	hsum(a)
	scalarTail(a, []Register{RSI, RDI}, func() {
		a.VMOVS(M(RSI, 0), X(1))
		a.VFMADD231S(M(RDI, 0), X(1), X(0))
	}, "done")
	a.Label("done")
	a.VMOVS(X(0), a.Ret())
	epilogue(a)
}

func vsum(a *Asm) {
	vb := a.Tier.Bytes
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	vzero(a, 0, 1, 2, 3)
	block4 := func() {
		for i := 0; i < 4; i++ {
			a.VADDP(M(RSI, i*vb), a.V(i), a.V(i))
		}
	}
	block1 := func() { a.VADDP(M(RSI, 0), a.V(0), a.V(0)) }
	if a.Tier == AVX512 {
		vloops(a, []Register{RSI}, block4, block1, "tail")
		tailMask(a, "reduce")
		a.VMOVUP_Z(M(RSI, 0), K(1), Z(4))
		a.VADDP(Z(4), Z(1), Z(1))
		a.Label("reduce")
		hsum(a)
		a.VMOVS(X(0), a.Ret())
		epilogue(a)
		return
	}
	vloops(a, []Register{RSI}, block4, block1, "reduce")
	a.Label("reduce")
	a.Comment(reduceFirst)
	hsum(a)
	scalarTail(a, []Register{RSI}, func() { a.VADDS(M(RSI, 0), X(0), X(0)) }, "done")
	a.Label("done")
	a.VMOVS(X(0), a.Ret())
	epilogue(a)
}

func vaxpy(a *Asm) {
	vb := a.Tier.Bytes
	a.VBROADCASTS(a.Arg("alpha"), a.V(0))
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.MOVQ(a.Arg("y_base"), RDI)
	block4 := func() {
		for i := 0; i < 4; i++ {
			a.VMOVUP(M(RSI, i*vb), a.V(1+i))
		}
		for i := 0; i < 4; i++ {
			a.VFMADD213P(M(RDI, i*vb), a.V(0), a.V(1+i))
		}
		for i := 0; i < 4; i++ {
			a.VMOVUP(a.V(1+i), M(RDI, i*vb))
		}
	}
	block1 := func() {
		a.VMOVUP(M(RSI, 0), a.V(1))
		a.VFMADD213P(M(RDI, 0), a.V(0), a.V(1))
		a.VMOVUP(a.V(1), M(RDI, 0))
	}
	vloops(a, []Register{RSI, RDI}, block4, block1, "tail")
	if a.Tier == AVX512 {
		tailMask(a, "done")
		a.VMOVUP_Z(M(RSI, 0), K(1), Z(1))
		a.VMOVUP_Z(M(RDI, 0), K(1), Z(2))
		a.VFMADD231P(Z(1), Z(0), Z(2))
		a.VMOVUP(Z(2), K(1), M(RDI, 0))
	} else {
		scalarTail(a, []Register{RSI, RDI}, func() {
			a.VMOVS(M(RSI, 0), X(1))
			a.VFMADD213S(M(RDI, 0), X(0), X(1))
			a.VMOVS(X(1), M(RDI, 0))
		}, "done")
	}
	a.Label("done")
	epilogue(a)
}

func vscal(a *Asm) {
	vb := a.Tier.Bytes
	a.VBROADCASTS(a.Arg("alpha"), a.V(0))
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	block4 := func() {
		for i := 0; i < 4; i++ {
			a.VMULP(M(RSI, i*vb), a.V(0), a.V(1+i))
		}
		for i := 0; i < 4; i++ {
			a.VMOVUP(a.V(1+i), M(RSI, i*vb))
		}
	}
	block1 := func() {
		a.VMULP(M(RSI, 0), a.V(0), a.V(1))
		a.VMOVUP(a.V(1), M(RSI, 0))
	}
	vloops(a, []Register{RSI}, block4, block1, "tail")
	if a.Tier == AVX512 {
		tailMask(a, "done")
		a.VMOVUP_Z(M(RSI, 0), K(1), Z(1))
		a.VMULP(Z(1), Z(0), Z(1))
		a.VMOVUP(Z(1), K(1), M(RSI, 0))
	} else {
		scalarTail(a, []Register{RSI}, func() {
			a.VMULS(M(RSI, 0), X(0), X(1))
			a.VMOVS(X(1), M(RSI, 0))
		}, "done")
	}
	a.Label("done")
	epilogue(a)
}

// vbinop is dst = a op b, with op given in its packed and scalar forms.
func vbinop(packed, scalar func(*Asm, ...Op)) func(*Asm) {
	return func(a *Asm) {
		vb := a.Tier.Bytes
		a.MOVQ(a.Arg("dst_base"), RDX)
		a.MOVQ(a.Arg("dst_len"), RCX)
		a.MOVQ(a.Arg("a_base"), RSI)
		a.MOVQ(a.Arg("b_base"), RDI)
		block4 := func() {
			for i := 0; i < 4; i++ {
				a.VMOVUP(M(RSI, i*vb), a.V(i))
			}
			for i := 0; i < 4; i++ {
				packed(a, M(RDI, i*vb), a.V(i), a.V(i))
			}
			for i := 0; i < 4; i++ {
				a.VMOVUP(a.V(i), M(RDX, i*vb))
			}
		}
		block1 := func() {
			a.VMOVUP(M(RSI, 0), a.V(0))
			packed(a, M(RDI, 0), a.V(0), a.V(0))
			a.VMOVUP(a.V(0), M(RDX, 0))
		}
		ptrs := []Register{RSI, RDI, RDX}
		vloops(a, ptrs, block4, block1, "tail")
		if a.Tier == AVX512 {
			tailMask(a, "done")
			a.VMOVUP_Z(M(RSI, 0), K(1), Z(0))
			a.VMOVUP_Z(M(RDI, 0), K(1), Z(1))
			packed(a, Z(1), Z(0), Z(0))
			a.VMOVUP(Z(0), K(1), M(RDX, 0))
		} else {
			scalarTail(a, ptrs, func() {
				a.VMOVS(M(RSI, 0), X(0))
				scalar(a, M(RDI, 0), X(0), X(0))
				a.VMOVS(X(0), M(RDX, 0))
			}, "done")
		}
		a.Label("done")
		epilogue(a)
	}
}

// vmaxabs is max |x| as an unsigned-integer max of the bit patterns with
// the sign cleared: for non-negative floats the integer order is the float
// order, and every NaN pattern is above +Inf, so a NaN anywhere wins.
func vmaxabs(a *Asm) {
	if a.Tier == AVX2 && a.E == Float64 {
		dmaxabsAVX2(a)
		return
	}
	vb := a.Tier.Bytes
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	if a.Tier == AVX512 {
		// The integer instructions of the element width.
		pand, pmaxu := a.VPANDD, a.VPMAXUD
		ternlog, psrl := a.VPTERNLOGD, a.VPSRLD
		load := a.VMOVDQU32_Z
		if a.E == Float64 {
			pand, pmaxu = a.VPANDQ, a.VPMAXUQ
			ternlog, psrl = a.VPTERNLOGQ, a.VPSRLQ
			load = a.VMOVDQU64_Z
		}
		a.Comment("Z4 = all ones >> 1, the mask that clears the sign bit.")
		ternlog(U8(0xff), Z(4), Z(4), Z(4))
		psrl(U8(1), Z(4), Z(4))
		vzero(a, 0, 1, 2, 3)
		block4 := func() {
			for i := 0; i < 4; i++ {
				pand(M(RSI, i*vb), Z(4), Z(5+i))
			}
			for i := 0; i < 4; i++ {
				pmaxu(Z(5+i), Z(i), Z(i))
			}
		}
		block1 := func() {
			pand(M(RSI, 0), Z(4), Z(5))
			pmaxu(Z(5), Z(0), Z(0))
		}
		vloops(a, []Register{RSI}, block4, block1, "tail")
		tailMask(a, "reduce")
		a.Comment("Masked-off lanes are 0, which never beats a real |x|.")
		load(M(RSI, 0), K(1), Z(5))
		pand(Z(5), Z(4), Z(5))
		pmaxu(Z(5), Z(1), Z(1))
		a.Label("reduce")
		pmaxu(Z(1), Z(0), Z(0))
		pmaxu(Z(3), Z(2), Z(2))
		pmaxu(Z(2), Z(0), Z(0))
		if a.E == Float32 {
			a.VEXTRACTI64X4(U8(1), Z(0), Y(1))
			a.VPMAXUD(Y(1), Y(0), Y(0))
			a.VEXTRACTI128(U8(1), Y(0), X(1))
			a.VPMAXUD(X(1), X(0), X(0))
			a.VPSHUFD(U8(0x4e), X(0), X(1))
			a.VPMAXUD(X(1), X(0), X(0))
			a.VPSHUFD(U8(0xb1), X(0), X(1))
			a.VPMAXUD(X(1), X(0), X(0))
		} else {
			a.Comment("VPMAXUQ has no VEX form: stay on zmm; only the low lanes matter.")
			a.VEXTRACTI64X4(U8(1), Z(0), Y(1))
			a.VPMAXUQ(Z(1), Z(0), Z(0))
			a.VEXTRACTI128(U8(1), Y(0), X(1))
			a.VPMAXUQ(Z(1), Z(0), Z(0))
			a.VPSHUFD(U8(0x4e), X(0), X(1))
			a.VPMAXUQ(Z(1), Z(0), Z(0))
		}
		a.VMOVS(X(0), a.Ret())
		epilogue(a)
		return
	}
	// smaxabsAVX2.
	a.Comment("Y4 = all ones >> 1, the mask that clears the sign bit.")
	a.VPCMPEQD(Y(4), Y(4), Y(4))
	a.VPSRLD(U8(1), Y(4), Y(4))
	for i := 0; i < 4; i++ {
		a.VPXOR(Y(i), Y(i), Y(i))
	}
	block4 := func() {
		for i := 0; i < 4; i++ {
			a.VPAND(M(RSI, i*vb), Y(4), Y(5+i))
		}
		for i := 0; i < 4; i++ {
			a.VPMAXUD(Y(5+i), Y(i), Y(i))
		}
	}
	block1 := func() {
		a.VPAND(M(RSI, 0), Y(4), Y(5))
		a.VPMAXUD(Y(5), Y(0), Y(0))
	}
	vloops(a, []Register{RSI}, block4, block1, "reduce")
	a.Label("reduce")
	a.Comment(reduceFirst)
	a.VPMAXUD(Y(1), Y(0), Y(0))
	a.VPMAXUD(Y(3), Y(2), Y(2))
	a.VPMAXUD(Y(2), Y(0), Y(0))
	a.VEXTRACTI128(U8(1), Y(0), X(1))
	a.VPMAXUD(X(1), X(0), X(0))
	a.VPSHUFD(U8(0x4e), X(0), X(1))
	a.VPMAXUD(X(1), X(0), X(0))
	a.VPSHUFD(U8(0xb1), X(0), X(1))
	a.VPMAXUD(X(1), X(0), X(0))
	scalarTail(a, []Register{RSI}, func() {
		a.VMOVSS(M(RSI, 0), X(1))
		a.VPAND(X(4), X(1), X(1))
		a.VPMAXUD(X(1), X(0), X(0))
	}, "done")
	a.Label("done")
	a.VMOVSS(X(0), a.Ret())
	epilogue(a)
}

// dmaxabsAVX2: float64 has no VPMAXUQ before AVX-512 (and VPCMPGTQ with
// VBLENDVPD is slow), so it takes VMAXPD of |x| and, beside it, the sum of
// |x|: a sum of non-negative terms is NaN exactly when a term is NaN (it may
// overflow to +Inf, never to NaN), which catches the NaNs VMAXPD drops.
func dmaxabsAVX2(a *Asm) {
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.Comment("Y4 = all ones >> 1, the mask that clears the sign bit.")
	a.VPCMPEQQ(Y(4), Y(4), Y(4))
	a.VPSRLQ(U8(1), Y(4), Y(4))
	a.Comment("Y0-Y3 hold the maxima, Y9-Y12 the sums of |x| that detect NaN.")
	for _, i := range []int{0, 1, 2, 3, 9, 10, 11, 12} {
		a.VXORPD(Y(i), Y(i), Y(i))
	}
	block4 := func() {
		for i := 0; i < 4; i++ {
			a.VANDPD(M(RSI, i*32), Y(4), Y(5+i))
		}
		for i := 0; i < 4; i++ {
			a.VMAXPD(Y(5+i), Y(i), Y(i))
		}
		for i := 0; i < 4; i++ {
			a.VADDPD(Y(5+i), Y(9+i), Y(9+i))
		}
	}
	block1 := func() {
		a.VANDPD(M(RSI, 0), Y(4), Y(5))
		a.VMAXPD(Y(5), Y(0), Y(0))
		a.VADDPD(Y(5), Y(9), Y(9))
	}
	vloops(a, []Register{RSI}, block4, block1, "reduce")
	a.Label("reduce")
	a.Comment(reduceFirst)
	a.VMAXPD(Y(1), Y(0), Y(0))
	a.VMAXPD(Y(3), Y(2), Y(2))
	a.VMAXPD(Y(2), Y(0), Y(0))
	a.VADDPD(Y(10), Y(9), Y(9))
	a.VADDPD(Y(12), Y(11), Y(11))
	a.VADDPD(Y(11), Y(9), Y(9))
	a.VEXTRACTF128(U8(1), Y(0), X(1))
	a.VMAXPD(X(1), X(0), X(0))
	a.VUNPCKHPD(X(0), X(0), X(1))
	a.VMAXSD(X(1), X(0), X(0))
	a.VEXTRACTF128(U8(1), Y(9), X(1))
	a.VADDPD(X(1), X(9), X(9))
	a.VUNPCKHPD(X(9), X(9), X(1))
	a.VADDSD(X(1), X(9), X(9))
	scalarTail(a, []Register{RSI}, func() {
		a.VMOVSD(M(RSI, 0), X(1))
		a.VANDPD(X(4), X(1), X(1))
		a.VMAXSD(X(1), X(0), X(0))
		a.VADDSD(X(1), X(9), X(9))
	}, "done")
	a.Label("done")
	a.VUCOMISD(X(9), X(9))
	a.JPS(L("nan"))
	a.VMOVSD(X(0), a.Ret())
	epilogue(a)
	a.Label("nan")
	a.VMOVSD(X(9), a.Ret())
	epilogue(a)
}
