package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The linear combinations of matrix rows (asm/lincomb.go): dst = beta·dst
// + Σ_p coef[p]·src[p·ld:], column chunk by column chunk. Each chunk of 4
// vectors (then 1, then the tail) keeps its sums in registers while the
// rows' terms stream through them, one broadcast and one FMA each, so each
// output is stored once.
func lincomb() *KernelFamily {
	doc := `Linear combinations of matrix rows (SlinComb/DlinComb) for the %s tier:
4 vector accumulators per column chunk, the rows' terms streamed through
them with one broadcast and one FMA each, so each output is stored once.`
	f := &KernelFamily{Name: "lincomb", Doc: map[*Tier]string{
		AVX512: sprintf(doc, "avx512"),
		AVX2:   sprintf(doc, "avx2"),
	}}
	for _, e := range []*Elem{Float32, Float64} {
		f.Kernels = append(f.Kernels, &Kernel{
			Slot: e.Prefix + "lincomb",
			Sig:  typed("func(dst []T, beta T, coef, src []T, ld int)", e),
			Doc:  "is linCombGeneric for " + e.Go + " (one FMA rounding per term).",
			E:    e,
			Body: linComb,
		})
	}
	return f
}

// linComb keeps dst in DI, the elements left in CX, beta in V15, coef in
// R8 (R9 of them), the current column of src in SI, the row stride in
// bytes in R10, and BX = 1 when beta = 0 (then dst is not read: a NaN in
// it must not survive).
func linComb(a *Asm) {
	vb, lanes, es := a.Tier.Bytes, a.Lanes(), a.E.Size
	a.MOVQ(a.Arg("dst_base"), RDI)
	a.MOVQ(a.Arg("dst_len"), RCX)
	a.VBROADCASTS(a.Arg("beta"), a.V(15))
	a.MOVQ(a.Arg("coef_base"), R8)
	a.MOVQ(a.Arg("coef_len"), R9)
	a.MOVQ(a.Arg("src_base"), RSI)
	a.MOVQ(a.Arg("ld"), R10)
	a.SHLQ(U8(a.E.Shift), R10)
	a.XORQ(RBX, RBX)
	a.VXORP(X(14), X(14), X(14))
	a.VUCOMIS(X(14), X(15))
	a.JNE(L("wide"))
	a.JP(L("wide"))
	a.MOVQ(U32(1), RBX)

	// chunk writes one column chunk of n vectors: the scaled dst (or
	// zero), then the terms row by row, then the store.
	chunk := func(label string, n int, next string) {
		a.Label(label)
		a.CMPQ(RCX, C(n*lanes))
		a.JL(L(next))
		for r := 0; r < n; r++ {
			vzeroWide(a, r)
		}
		a.TESTQ(RBX, RBX)
		a.JNZ(L(label + "terms"))
		for r := 0; r < n; r++ {
			a.VMULP(M(RDI, r*vb), a.V(15), a.V(r))
		}
		terms(a, label, func() {
			a.VBROADCASTS(M(R12, 0), a.V(4))
			for r := 0; r < n; r++ {
				a.VFMADD231P(M(R11, r*vb), a.V(4), a.V(r))
			}
		})
		for r := 0; r < n; r++ {
			a.VMOVUP(a.V(r), M(RDI, r*vb))
		}
		a.ADDQ(C(n*vb), RDI)
		a.ADDQ(C(n*vb), RSI)
		a.SUBQ(C(n*lanes), RCX)
		a.JMP(L(label))
	}
	chunk("wide", 4, "single")
	chunk("single", 1, "tail")

	a.Label("tail")
	a.TESTQ(RCX, RCX)
	a.JZ(L("done"))
	if a.Tier == AVX512 {
		// One masked vector.
		lowMask(a, K(1))
		a.VPXORD(Z(0), Z(0), Z(0))
		a.TESTQ(RBX, RBX)
		a.JNZ(L("tailterms"))
		a.VMOVUP_Z(M(RDI, 0), K(1), Z(0))
		a.VMULP(Z(0), Z(15), Z(0))
		terms(a, "tail", func() {
			a.VBROADCASTS(M(R12, 0), Z(4))
			a.VMOVUP_Z(M(R11, 0), K(1), Z(5))
			a.VFMADD231P(Z(5), Z(4), Z(0))
		})
		a.VMOVUP(Z(0), K(1), M(RDI, 0))
	} else {
		// Single elements.
		a.VXORP(X(0), X(0), X(0))
		a.TESTQ(RBX, RBX)
		a.JNZ(L("tailterms"))
		a.VMOVS(M(RDI, 0), X(0))
		a.VMULS(X(0), X(15), X(0))
		terms(a, "tail", func() {
			a.VMOVS(M(R12, 0), X(4))
			a.VFMADD231S(M(R11, 0), X(4), X(0))
		})
		a.VMOVS(X(0), M(RDI, 0))
		a.ADDQ(C(es), RDI)
		a.ADDQ(C(es), RSI)
		a.DECQ(RCX)
		a.JMP(L("tail"))
	}
	a.Label("done")
	epilogue(a)
}

// vzeroWide clears accumulator r (VXORP on ymm, VPXORD on zmm: VXORPS zmm
// would need AVX512DQ).
func vzeroWide(a *Asm, r int) {
	if a.Tier == AVX512 {
		a.VPXORD(Z(r), Z(r), Z(r))
	} else {
		a.VXORP(Y(r), Y(r), Y(r))
	}
}

// terms runs term once per row: R11 walks the rows of the chunk's column,
// R12 the coefficients, R13 counts down. It ends at the label <name>store.
func terms(a *Asm, name string, term func()) {
	a.Label(name + "terms")
	a.MOVQ(RSI, R11)
	a.MOVQ(R8, R12)
	a.MOVQ(R9, R13)
	a.Label(name + "loop")
	a.TESTQ(R13, R13)
	a.JZ(L(name + "store"))
	term()
	a.ADDQ(R10, R11)
	a.ADDQ(C(a.E.Size), R12)
	a.DECQ(R13)
	a.JMP(L(name + "loop"))
	a.Label(name + "store")
}
