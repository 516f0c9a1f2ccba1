package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The fused element-wise kernels (asm/fused.go). The tail is one vector
// under a mask: K1 on avx512, Y12 (VMASKMOVPS) on avx2.
func fused() *KernelFamily {
	f := &KernelFamily{Name: "fused", Doc: map[*Tier]string{
		AVX2: `Fused element-wise kernels (fused.go) for the avx2 tier: 8 lanes per
step, the tail of 1–7 elements under VMASKMOVPS (masked-off lanes load as
zero, and masked-off memory is not touched). The reductions keep 2
accumulators in their 16-lane loop. The derivative kernels test their
optional operands once per vector (always the same way: well predicted).`,
		AVX512: `Fused element-wise kernels (fused.go) for the avx512 tier: 16 lanes per
step, the tail under an opmask (masked-off lanes load as zero and are
never stored). The reductions keep 4 accumulators in their 64-lane loop.
The derivative kernels test their optional operands once per vector; the
branches always go the same way, so they cost next to nothing.`,
	}}
	f.Kernels = []*Kernel{
		{Slot: "sfma", Sig: "func(dst, a, b, c []float32)", Doc: "is sfmaGeneric.", Body: sfma},
		{Slot: "smaskedDot", Sig: "func(x, a, b []float32) float32",
			Doc: "is smaskedDotGeneric, summing in a different order.", Body: smaskedDot},
		{Slot: "sleakyReLUBackwardDot", Sig: "func(dx, x, dy, z []float32, slope float32) float32",
			Doc: "is sleakyReLUBackwardDotGeneric, summing in a different order.", Body: sleakyReLUBackwardDot},
		{Slot: "ssiluDerivs", Sig: "func(d1, d2, x, s, dy []float32)", Doc: "is ssiluDerivsGeneric.", Body: ssiluDerivs},
		{Slot: "squadDerivs", Sig: "func(d1, d2, y, dy []float32, a, b, c, p, q float32)",
			Doc: "is squadDerivsGeneric.", Body: squadDerivs},
	}
	return f
}

// maskedTail starts the tail: unless CX is 0 (then it jumps to skip), it
// sets the mask of the low CX lanes, K1 or Y12.
func maskedTail(a *Asm, label, skip string) {
	a.Label(label)
	a.TESTQ(RCX, RCX)
	a.JZ(L(skip))
	if a.Tier == AVX512 {
		lowMask(a, K(1))
	} else {
		tailMask8(a, Y(12))
	}
}

// loadTail loads the tail's lanes of mem into v; the others are zero.
func loadTail(a *Asm, mem Mem, v VecPhysical) {
	if a.Tier == AVX512 {
		a.VMOVUPS_Z(mem, K(1), v)
	} else {
		a.VMASKMOVPS(mem, Y(12), v)
	}
}

// storeTail stores the tail's lanes of v to mem.
func storeTail(a *Asm, v VecPhysical, mem Mem) {
	if a.Tier == AVX512 {
		a.VMOVUPS(v, K(1), mem)
	} else {
		a.VMASKMOVPS(v, Y(12), mem)
	}
}

// sfma: dst = a·b + c, 4 vectors per iteration, then 1, then the tail.
func sfma(a *Asm) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	a.MOVQ(a.Arg("dst_base"), RDI)
	a.MOVQ(a.Arg("dst_len"), RCX)
	a.MOVQ(a.Arg("a_base"), RSI)
	a.MOVQ(a.Arg("b_base"), RDX)
	a.MOVQ(a.Arg("c_base"), R8)
	ptrs := []Register{RSI, RDX, R8, RDI}
	big, small := sprintf("fma%d", 4*lanes), sprintf("fma%d", lanes)
	a.Label(big)
	a.CMPQ(RCX, C(4*lanes))
	a.JL(L(small))
	for i := 0; i < 4; i++ {
		a.VMOVUPS(M(RSI, i*vb), a.V(i))
	}
	for i := 0; i < 4; i++ {
		a.VMOVUPS(M(RDX, i*vb), a.V(4+i))
	}
	for i := 0; i < 4; i++ {
		a.VFMADD213PS(M(R8, i*vb), a.V(4+i), a.V(i))
	}
	for i := 0; i < 4; i++ {
		a.VMOVUPS(a.V(i), M(RDI, i*vb))
	}
	for _, p := range ptrs {
		a.ADDQ(C(4*vb), p)
	}
	a.SUBQ(C(4*lanes), RCX)
	a.JMP(L(big))

	a.Label(small)
	a.CMPQ(RCX, C(lanes))
	a.JL(L("fmatail"))
	a.VMOVUPS(M(RSI, 0), a.V(0))
	a.VMOVUPS(M(RDX, 0), a.V(4))
	a.VFMADD213PS(M(R8, 0), a.V(4), a.V(0))
	a.VMOVUPS(a.V(0), M(RDI, 0))
	for _, p := range ptrs {
		a.ADDQ(C(vb), p)
	}
	a.SUBQ(C(lanes), RCX)
	a.JMP(L(small))

	maskedTail(a, "fmatail", "fmadone")
	loadTail(a, M(RSI, 0), a.V(0))
	loadTail(a, M(RDX, 0), a.V(4))
	loadTail(a, M(R8, 0), a.V(8))
	a.VFMADD213PS(a.V(8), a.V(4), a.V(0))
	storeTail(a, a.V(0), M(RDI, 0))
	a.Label("fmadone")
	epilogue(a)
}

// A stream is an operand of the masked reductions: its vector i is loaded
// from ptr + i·vb into V(reg+i).
type stream struct {
	ptr Register
	reg int
}

// maskedReduce is the skeleton of the two masked reductions: n vectors per
// iteration (4 on avx512, 2 on avx2) into the accumulators V0..V(n−1),
// then single vectors into V0, then the tail into V1, all summed at the end
// into the result. step(i, acc) does the work of vector i of the operands;
// store, if not nil, stores vector i of its result to DI (the tail's lanes
// when tail is set).
func maskedReduce(a *Asm, name string, ops []stream, step func(i, acc int), store func(i int, tail bool)) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	n := 2
	if a.Tier == AVX512 {
		n = 4
	}
	ptrs := []Register{}
	for _, o := range ops {
		ptrs = append(ptrs, o.ptr)
	}
	if store != nil {
		ptrs = append(ptrs, RDI)
	}
	// iteration does m vectors.
	iteration := func(m int, label, next string) {
		a.Label(label)
		a.CMPQ(RCX, C(m*lanes))
		a.JL(L(next))
		for _, o := range ops {
			for i := 0; i < m; i++ {
				a.VMOVUPS(M(o.ptr, i*vb), a.V(o.reg+i))
			}
		}
		for i := 0; i < m; i++ {
			step(i, i)
		}
		for i := 0; store != nil && i < m; i++ {
			store(i, false)
		}
		for _, p := range ptrs {
			a.ADDQ(C(m*vb), p)
		}
		a.SUBQ(C(m*lanes), RCX)
		a.JMP(L(label))
	}
	iteration(n, sprintf("%s%d", name, n*lanes), sprintf("%s%d", name, lanes))
	iteration(1, sprintf("%s%d", name, lanes), name+"tail")

	maskedTail(a, name+"tail", name+"sum")
	a.Comment("masked-off lanes load as 0 and add 0")
	for _, o := range ops {
		loadTail(a, M(o.ptr, 0), a.V(o.reg))
	}
	step(0, 1)
	if store != nil {
		store(0, true)
	}

	a.Label(name + "sum")
	a.VADDPS(a.V(1), a.V(0), a.V(0))
	if a.Tier == AVX512 {
		a.VADDPS(Z(3), Z(2), Z(2))
		a.VADDPS(Z(2), Z(0), Z(0))
		a.VEXTRACTF64X4(U8(1), Z(0), Y(1))
		a.VADDPS(Y(1), Y(0), Y(0))
		a.VEXTRACTF128(U8(1), Y(0), X(1))
		a.VADDPS(X(1), X(0), X(0))
		a.VMOVHLPS(X(0), X(0), X(1))
		a.VADDPS(X(1), X(0), X(0))
		a.VMOVSHDUP(X(0), X(1))
		a.VADDSS(X(1), X(0), X(0))
	} else {
		a.VEXTRACTF128(U8(1), Y(0), X(1))
		a.VADDPS(X(1), X(0), X(0))
		a.VHADDPS(X(0), X(0), X(0))
		a.VHADDPS(X(0), X(0), X(0))
	}
	a.VMOVSS(X(0), a.Ret())
	epilogue(a)
}

// reductionRegs numbers the registers of the reductions' three operands:
// vector i of them is in V(x+i), V(y+i), V(z+i).
func reductionRegs(a *Asm) (x, y, z int) {
	if a.Tier == AVX512 {
		return 4, 8, 12
	}
	return 2, 4, 6
}

// smaskedDot: the sum of a·b over the lanes where !(x > 0).
func smaskedDot(a *Asm) {
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.MOVQ(a.Arg("a_base"), RDX)
	a.MOVQ(a.Arg("b_base"), R8)
	xr, ar, br := reductionRegs(a)
	var step func(i, acc int)
	if a.Tier == AVX512 {
		a.VPXORD(Z(30), Z(30), Z(30))
		for i := 0; i < 4; i++ {
			a.VPXORD(Z(i), Z(i), Z(i))
		}
		// Under K2 = !(x > 0) (NGT_UQ, so NaN counts): acc += a·b.
		step = func(i, acc int) {
			a.VCMPPS(cmpNgtUQ, Z(30), Z(xr+i), K(2))
			a.VFMADD231PS(Z(ar+i), Z(br+i), K(2), Z(acc))
		}
	} else {
		a.VXORPS(Y(14), Y(14), Y(14))
		a.VXORPS(Y(0), Y(0), Y(0))
		a.VXORPS(Y(1), Y(1), Y(1))
		// The product is masked after the multiply, so NaN x counts and
		// Inf·0 never arises from the mask. Y8+2i and Y9+2i are scratch.
		step = func(i, acc int) {
			m, p := Y(8+2*i), Y(9+2*i)
			a.VCMPPS(cmpGtOQ, Y(14), Y(xr+i), m)
			a.VMULPS(Y(br+i), Y(ar+i), p)
			a.VANDNPS(p, m, p)
			a.VADDPS(p, Y(acc), Y(acc))
		}
	}
	maskedReduce(a, "md", []stream{{RSI, xr}, {RDX, ar}, {R8, br}}, step, nil)
}

// sleakyReLUBackwardDot: dx = slope·dy where !(x > 0), else dy, and the
// sum of dy·z over those lanes.
func sleakyReLUBackwardDot(a *Asm) {
	a.MOVQ(a.Arg("dx_base"), RDI)
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.MOVQ(a.Arg("dy_base"), RDX)
	a.MOVQ(a.Arg("z_base"), R8)
	a.VBROADCASTSS(a.Arg("slope"), a.V(a.Tier.scalarReg()))
	xr, dyr, zr := reductionRegs(a)
	var step func(i, acc int)
	if a.Tier == AVX512 {
		a.VPXORD(Z(30), Z(30), Z(30))
		for i := 0; i < 4; i++ {
			a.VPXORD(Z(i), Z(i), Z(i))
		}
		// Under K2 = !(x > 0): acc += dy·z, dy = slope·dy (now dx).
		step = func(i, acc int) {
			d := Z(dyr + i)
			a.VCMPPS(cmpNgtUQ, Z(30), Z(xr+i), K(2))
			a.VFMADD231PS(Z(zr+i), d, K(2), Z(acc))
			a.VMULPS(Z(31), d, K(2), d)
		}
	} else {
		a.VXORPS(Y(14), Y(14), Y(14))
		a.VXORPS(Y(0), Y(0), Y(0))
		a.VXORPS(Y(1), Y(1), Y(1))
		// As in smaskedDot, then dy = x > 0 ? dy : slope·dy.
		step = func(i, acc int) {
			d, m, p := Y(dyr+i), Y(8+2*i), Y(9+2*i)
			a.VCMPPS(cmpGtOQ, Y(14), Y(xr+i), m)
			a.VMULPS(Y(zr+i), d, p)
			a.VANDNPS(p, m, p)
			a.VADDPS(p, Y(acc), Y(acc))
			a.VMULPS(Y(15), d, p)
			a.VBLENDVPS(m, d, p, d)
		}
	}
	store := func(i int, tail bool) {
		if tail {
			storeTail(a, a.V(dyr), M(RDI, 0))
			return
		}
		a.VMOVUPS(a.V(dyr+i), M(RDI, i*a.Tier.Bytes))
	}
	maskedReduce(a, "lb", []stream{{RSI, xr}, {RDX, dyr}, {R8, zr}}, step, store)
}

// derivs is the loop of the derivative kernels: math computes d1 into V2
// and d2 into V3 from the inputs loaded into V0 (and V1, with two inputs);
// d2 is stored if len(d2) > 0 (R10), d1 multiplied by dy if len(dy) > 0
// (R11). d1 is at DI, d2 at R9, dy at R8, the inputs at SI (and DX).
func derivs(a *Asm, name string, inputs []Register, math func()) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	loop := sprintf("%s%d", name, lanes)
	a.Label(loop)
	a.CMPQ(RCX, C(lanes))
	a.JL(L(name + "tail"))
	for i, p := range inputs {
		a.VMOVUPS(M(p, 0), a.V(i))
	}
	math()
	a.TESTQ(R10, R10)
	a.JZ(L(name + "nod2"))
	a.VMOVUPS(a.V(3), M(R9, 0))
	a.ADDQ(C(vb), R9)
	a.Label(name + "nod2")
	a.TESTQ(R11, R11)
	a.JZ(L(name + "nody"))
	a.VMULPS(M(R8, 0), a.V(2), a.V(2))
	a.ADDQ(C(vb), R8)
	a.Label(name + "nody")
	a.VMOVUPS(a.V(2), M(RDI, 0))
	for _, p := range append(inputs[:len(inputs):len(inputs)], RDI) {
		a.ADDQ(C(vb), p)
	}
	a.SUBQ(C(lanes), RCX)
	a.JMP(L(loop))

	maskedTail(a, name+"tail", name+"done")
	for i, p := range inputs {
		loadTail(a, M(p, 0), a.V(i))
	}
	math()
	a.TESTQ(R10, R10)
	a.JZ(L(name + "tailnod2"))
	storeTail(a, a.V(3), M(R9, 0))
	a.Label(name + "tailnod2")
	a.TESTQ(R11, R11)
	a.JZ(L(name + "tailnody"))
	loadTail(a, M(R8, 0), a.V(5))
	a.VMULPS(a.V(5), a.V(2), a.V(2))
	a.Label(name + "tailnody")
	storeTail(a, a.V(2), M(RDI, 0))
	a.Label(name + "done")
	epilogue(a)
}

// ssiluDerivs: from x (V0) and s = sigmoid(x) (V1), d1 = s + x·u and
// d2 = u·(x·(1−2s) + 2) with u = s − s·s (in V4).
func ssiluDerivs(a *Asm) {
	a.MOVQ(a.Arg("d1_base"), RDI)
	a.MOVQ(a.Arg("d2_base"), R9)
	a.MOVQ(a.Arg("d2_len"), R10)
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RCX)
	a.MOVQ(a.Arg("s_base"), RDX)
	a.MOVQ(a.Arg("dy_base"), R8)
	a.MOVQ(a.Arg("dy_len"), R11)
	// The constants 1, 2 and −2.
	consts := []int{13, 14, 15}
	if a.Tier == AVX512 {
		consts = []int{29, 28, 27}
	}
	for i, c := range []uint32{one, two, minusTwo} {
		a.MOVL(U32(c), EAX)
		if a.Tier == AVX512 {
			a.VPBROADCASTD(EAX, Z(consts[i]))
		} else {
			a.VMOVD(EAX, X(consts[i]))
			a.VPBROADCASTD(X(consts[i]), Y(consts[i]))
		}
	}
	v, c1, c2, cm2 := a.V, a.V(consts[0]), a.V(consts[1]), a.V(consts[2])
	derivs(a, "silu", []Register{RSI, RDX}, func() {
		x, s, d1, d2, u := v(0), v(1), v(2), v(3), v(4)
		a.VMOVAPS(s, u)
		a.VFNMADD231PS(s, s, u)
		a.VMOVAPS(s, d1)
		a.VFMADD231PS(u, x, d1)
		a.VMOVAPS(c1, d2)
		a.VFMADD231PS(s, cm2, d2)
		a.VFMADD213PS(c2, x, d2)
		a.VMULPS(u, d2, d2)
	})
}

// squadDerivs: from y (V0), d1 = (a·y + b)·y + c and d2 = d1·(p·y + q),
// the coefficients broadcast into 5 consecutive registers.
func squadDerivs(a *Asm) {
	a.MOVQ(a.Arg("d1_base"), RDI)
	a.MOVQ(a.Arg("d2_base"), R9)
	a.MOVQ(a.Arg("d2_len"), R10)
	a.MOVQ(a.Arg("y_base"), RSI)
	a.MOVQ(a.Arg("y_len"), RCX)
	a.MOVQ(a.Arg("dy_base"), R8)
	a.MOVQ(a.Arg("dy_len"), R11)
	first := 7
	if a.Tier == AVX512 {
		first = 20
	}
	for i, name := range []string{"a", "b", "c", "p", "q"} {
		a.VBROADCASTSS(a.Arg(name), a.V(first+i))
	}
	v := a.V
	ca, cb, cc, cp, cq := v(first), v(first+1), v(first+2), v(first+3), v(first+4)
	derivs(a, "quad", []Register{RSI}, func() {
		y, d1, d2 := v(0), v(2), v(3)
		a.VMOVAPS(cb, d2)
		a.VFMADD231PS(y, ca, d2)
		a.VMOVAPS(cc, d1)
		a.VFMADD231PS(y, d2, d1)
		a.VMOVAPS(cq, d2)
		a.VFMADD231PS(y, cp, d2)
		a.VMULPS(d1, d2, d2)
	})
}
