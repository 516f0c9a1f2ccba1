package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The Adam update (asm/adam.go). The coefficients b1, c1, b2, c2,
// stepSize, invBc2, eps, wd and decay are broadcast into 9 consecutive
// registers; the weight-decay FMA is selected by a mask, so that wd = 0
// adds nothing even to an infinite w.
func adam() *KernelFamily {
	return &KernelFamily{Name: "adam", Doc: map[*Tier]string{
		AVX2: `Adam update (Sadam) for the avx2 tier: one ymm register (8 float32) per
iteration, then the same operations on single elements (VMOVSS loads
clear the upper lanes, which compute harmlessly and are never stored).
Y5 is all ones when wd ≠ 0 and all zeros otherwise; it selects the
weight-decay FMA, so that wd = 0 adds nothing even to an infinite w.`,
		AVX512: `Adam update (Sadam) for the avx512 tier: 2 zmm registers (32 float32) per
iteration, then one, then an opmask tail (masked-off lanes load as zero,
compute harmlessly and are never stored). K3 enables the weight-decay FMA
on every lane when wd ≠ 0 and on none otherwise, so that wd = 0 adds
nothing even to an infinite w, as in the twin.`,
	}, Kernels: []*Kernel{{
		Slot: "sadam",
		Sig:  "func(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32)",
		Doc:  "is sadamGeneric.",
		Body: sadam,
	}}}
}

var adamCoefs = []string{"b1", "c1", "b2", "c2", "stepSize", "invBc2", "eps", "wd", "decay"}

func sadam(a *Asm) {
	a.MOVQ(a.Arg("w_base"), RDI)
	a.MOVQ(a.Arg("w_len"), RCX)
	a.MOVQ(a.Arg("g_base"), RSI)
	a.MOVQ(a.Arg("m_base"), R8)
	a.MOVQ(a.Arg("v_base"), R9)
	first := 7
	if a.Tier == AVX512 {
		first = 20
	}
	for i, name := range adamCoefs {
		a.VBROADCASTSS(a.Arg(name), a.V(first+i))
	}
	c := func(name string) VecPhysical {
		for i, n := range adamCoefs {
			if n == name {
				return a.V(first + i)
			}
		}
		panic(name)
	}

	// The mask of the weight-decay FMA: all lanes if wd ≠ 0.
	all := U32(0xffff) // K3's 16 bits
	if a.Tier == AVX2 {
		a.Comment("Y5 = wd ≠ 0 (−0 counts as zero, NaN as nonzero) ? all ones : 0.")
		all = U32(0xffffffff)
	} else {
		a.Comment("K3 = wd ≠ 0 (−0 counts as zero, NaN as nonzero) ? all lanes : none.")
	}
	a.MOVL(a.Arg("wd"), EAX)
	a.ANDL(U32(0x7fffffff), EAX)
	a.XORL(EBX, EBX)
	a.MOVL(all, EDX)
	a.TESTL(EAX, EAX)
	a.CMOVLNE(EDX, EBX)
	if a.Tier == AVX2 {
		a.VMOVD(EBX, X(5))
		a.VPBROADCASTD(X(5), Y(5))
	} else {
		a.KMOVW(EBX, K(3))
	}

	// update is one vector (or, with x set, the low 128 bits on avx2): w,
	// g, m, v in the registers r[0..3] on entry; w, m, v on exit (g
	// becomes scratch); t is scratch.
	update := func(r [4]VecPhysical, t VecPhysical, x bool) {
		w, g, m, v := r[0], r[1], r[2], r[3]
		k := func(r VecPhysical) VecPhysical { // the coefficient, in the width of w
			if x {
				return r.AsX().(VecPhysical)
			}
			return r
		}
		a.VMULPS(k(c("decay")), w, w)
		if a.Tier == AVX512 {
			a.VFMADD231PS(w, c("wd"), K(3), g)
		} else {
			// Y6 = g + wd·w, taken where Y5 is set.
			y6, y5 := k(Y(6)), k(Y(5))
			a.VMOVAPS(g, y6)
			a.VFMADD231PS(w, k(c("wd")), y6)
			a.VBLENDVPS(y5, y6, g, g)
		}
		a.VMULPS(k(c("b1")), m, m)
		a.VFMADD231PS(g, k(c("c1")), m)
		a.VMULPS(k(c("b2")), v, v)
		a.VMULPS(k(c("c2")), g, t)
		a.VFMADD231PS(t, g, v)
		a.VSQRTPS(v, t)
		a.VFMADD213PS(k(c("eps")), k(c("invBc2")), t)
		a.VMULPS(k(c("stepSize")), m, g)
		a.VDIVPS(t, g, g)
		a.VSUBPS(g, w, w)
	}
	vregs := func(x bool, first int) [4]VecPhysical {
		var r [4]VecPhysical
		for i := range r {
			r[i] = a.V(first + i)
			if x {
				r[i] = X(first + i)
			}
		}
		return r
	}
	ptrs := []Register{RDI, RSI, R8, R9}
	// iteration does n vectors (n·vb bytes) starting at label, the second
	// one in V5–V9.
	iteration := func(n int, label, next string) {
		vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
		a.Label(label)
		a.CMPQ(RCX, C(n*lanes))
		a.JL(L(next))
		for j := 0; j < n; j++ {
			for i, p := range ptrs {
				a.VMOVUPS(M(p, j*vb), a.V(5*j+i))
			}
		}
		for j := 0; j < n; j++ {
			update(vregs(false, 5*j), a.V(5*j+4), false)
		}
		for j := 0; j < n; j++ {
			for _, i := range []int{0, 2, 3} {
				a.VMOVUPS(a.V(5*j+i), M(ptrs[i], j*vb))
			}
		}
		for _, p := range ptrs {
			a.ADDQ(C(n*vb), p)
		}
		a.SUBQ(C(n*lanes), RCX)
		a.JMP(L(label))
	}
	if a.Tier == AVX512 {
		iteration(2, "loop32", "loop16")
		iteration(1, "loop16", "tail")
		a.Label("tail")
		a.TESTQ(RCX, RCX)
		a.JZ(L("done"))
		a.Comment("K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.")
		lowMask(a, K(1))
		for i, p := range ptrs {
			a.VMOVUPS_Z(M(p, 0), K(1), Z(i))
		}
		update(vregs(false, 0), Z(4), false)
		for _, i := range []int{0, 2, 3} {
			a.VMOVUPS(Z(i), K(1), M(ptrs[i], 0))
		}
	} else {
		iteration(1, "loop8", "tail")
		a.Label("tail")
		a.TESTQ(RCX, RCX)
		a.JZ(L("done"))
		for i, p := range ptrs {
			a.VMOVSS(M(p, 0), X(i))
		}
		update(vregs(true, 0), X(4), true)
		for _, i := range []int{0, 2, 3} {
			a.VMOVSS(X(i), M(ptrs[i], 0))
		}
		for _, p := range ptrs {
			a.ADDQ(C(4), p)
		}
		a.DECQ(RCX)
		a.JMP(L("tail"))
	}
	a.Label("done")
	epilogue(a)
}
