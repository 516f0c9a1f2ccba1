package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The row-broadcast affine map (asm/rows.go): each row of x through
// vector steps and a masked tail, with one loop per operand combination
// (F: scale and shift, M: scale, A: shift), chosen once, so the column
// loop carries no branch.
func rows() *KernelFamily {
	return &KernelFamily{Name: "rows", Doc: map[*Tier]string{
		AVX2: `Row-broadcast affine map (SaffineRows) for the avx2 tier: each row of
x goes through 8-lane steps and a VMASKMOVPS tail (Y12 = the low cols%8
lanes; masked-off memory is not touched). One loop per operand
combination (F: scale and shift, M: scale, A: shift), chosen once, so
the column loop carries no branch.`,
		AVX512: `Row-broadcast affine map (SaffineRows) for the avx512 tier: each row of
x goes through 16-lane steps and an opmask tail (K1 = the low cols%16
lanes; masked-off lanes load as zero and are never stored). One loop per
operand combination (F: scale and shift, M: scale, A: shift), chosen
once, so the column loop carries no branch.`,
	}, Kernels: []*Kernel{{
		Slot: "srowAffine",
		Sig:  "func(dst, x []float32, cols int, scale, shift []float32)",
		Doc:  "is srowAffineGeneric.",
		Body: srowAffine,
	}}}
}

// srowAffine: dst in DI, x in SI, the elements of x left in BX, cols in
// R12, scale in R8 (R10 long), shift in R9 (R11 long); AX is the byte
// offset in the row, CX the columns left.
func srowAffine(a *Asm) {
	vb, lanes := a.Tier.Bytes, a.Tier.Lanes(Float32)
	a.MOVQ(a.Arg("dst_base"), RDI)
	a.MOVQ(a.Arg("x_base"), RSI)
	a.MOVQ(a.Arg("x_len"), RBX)
	a.MOVQ(a.Arg("cols"), R12)
	a.MOVQ(a.Arg("scale_base"), R8)
	a.MOVQ(a.Arg("scale_len"), R10)
	a.MOVQ(a.Arg("shift_base"), R9)
	a.MOVQ(a.Arg("shift_len"), R11)
	a.TESTQ(R12, R12)
	a.JZ(L("done"))

	a.MOVQ(R12, RCX)
	a.ANDQ(C(lanes-1), RCX)
	if a.Tier == AVX512 {
		a.Comment("K1 = the low cols%16 bits.")
		lowMask(a, K(1))
	} else {
		a.Comment("Y12 = all ones in the low cols%8 lanes.")
		a.VMOVD(ECX, X(12))
		a.VPBROADCASTD(X(12), Y(12))
		a.VPCMPGTD(a.Iota32("iota", 8), Y(12), Y(12))
	}
	a.TESTQ(R10, R10)
	a.JZ(L("rowA"))
	a.TESTQ(R11, R11)
	a.JZ(L("rowM"))

	at := func(p Register) Mem { return MI(p, 0, RAX, 1) }
	// loop writes the row loop of one combination: vector computes V0
	// from x in V0 (its other operands at offset AX), tail the same from
	// the tail's lanes.
	loop := func(name string, vector, tail func()) {
		a.Label("row" + name)
		a.CMPQ(RBX, R12)
		a.JL(L("done"))
		a.MOVQ(R12, RCX)
		a.XORQ(RAX, RAX)
		a.Label("col" + name)
		a.CMPQ(RCX, C(lanes))
		a.JL(L("tail" + name))
		a.VMOVUPS(at(RSI), a.V(0))
		vector()
		a.VMOVUPS(a.V(0), at(RDI))
		a.ADDQ(C(vb), RAX)
		a.SUBQ(C(lanes), RCX)
		a.JMP(L("col" + name))
		a.Label("tail" + name)
		a.TESTQ(RCX, RCX)
		a.JZ(L("next" + name))
		loadTail(a, at(RSI), a.V(0))
		tail()
		storeTail(a, a.V(0), at(RDI))
		a.Label("next" + name)
		a.LEAQ(MI(RSI, 0, R12, 4), RSI)
		a.LEAQ(MI(RDI, 0, R12, 4), RDI)
		a.SUBQ(R12, RBX)
		a.JMP(L("row" + name))
	}
	v := a.V
	// On avx512 the vector steps take the other operands from memory; on
	// avx2 they load them like the tail.
	mem := a.Tier == AVX512
	loop("F", func() {
		a.VMOVUPS(at(R8), v(1))
		if mem {
			a.VFMADD213PS(at(R9), v(1), v(0))
			return
		}
		a.VMOVUPS(at(R9), v(2))
		a.VFMADD213PS(v(2), v(1), v(0))
	}, func() {
		loadTail(a, at(R8), v(1))
		loadTail(a, at(R9), v(2))
		a.VFMADD213PS(v(2), v(1), v(0))
	})
	loop("M", func() {
		if mem {
			a.VMULPS(at(R8), v(0), v(0))
			return
		}
		a.VMOVUPS(at(R8), v(1))
		a.VMULPS(v(1), v(0), v(0))
	}, func() {
		loadTail(a, at(R8), v(1))
		a.VMULPS(v(1), v(0), v(0))
	})
	loop("A", func() {
		if mem {
			a.VADDPS(at(R9), v(0), v(0))
			return
		}
		a.VMOVUPS(at(R9), v(2))
		a.VADDPS(v(2), v(0), v(0))
	}, func() {
		loadTail(a, at(R9), v(2))
		a.VADDPS(v(2), v(0), v(0))
	})
	a.Label("done")
	epilogue(a)
}
