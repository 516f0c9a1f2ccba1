package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The GEMM micro-kernels (contract: GemmKernel in asm/kernels.go; twins in
// asm/gemm_generic.go; the Go adapters that check the slices and pass
// pointers are in asm/gemm_amd64.go). C[MR×NR] += A·B, with NR two vector
// registers and MR rows: 6 on avx2 (16 ymm registers), 12 on avx512 (32
// zmm registers). k is unrolled by 4.
func gemm() *KernelFamily {
	f := &KernelFamily{Name: "gemm", Doc: map[*Tier]string{
		AVX2: `GEMM micro-kernels for the avx2 tier: C[MR×NR] += A·B from a packed
MR×k sliver of A (column p at a+p·MR) and a packed k×NR sliver of B (row p
at b+p·NR). Tiles: float32 6×16, float64 6×8, i.e. 6 rows × 2 ymm.

Why this shape: with 16 ymm registers, 12 accumulators + 2 B vectors + 2
broadcast registers is the largest tile that fits, and 12 independent FMA
chains cover the 4-cycle latency on both FMA ports. (4×24 measured the
same; 6×16 packs A in groups of 6 like BLIS's Haswell kernel.) The two
broadcast registers alternate so consecutive rows do not serialise on one
register. k is unrolled by 4.

As in the avx512 kernels, accumulators start at -0 (the identity of IEEE
addition), C rows are prefetched at entry and A 16 k steps ahead.`,
		AVX512: `GEMM micro-kernels for the avx512 tier: C[MR×NR] += A·B from a packed
MR×k sliver of A (column p at a+p·MR) and a packed k×NR sliver of B (row p
at b+p·NR). Tiles: float32 12×32, float64 12×16, i.e. 12 rows × 2 zmm.

Why this shape: 24 zmm accumulators hide the 4-cycle FMA latency on both
FMA ports with room to spare, and leave 8 registers, 4 of which hold two
B rows (the k loop is unrolled by 4 and alternates B registers so
consecutive steps do not wait on each other's loads). A is read with
embedded-broadcast FMAs (.BCST), so a k step costs 2 B loads and 24 FMAs,
and no broadcast register. Measured on the target box against 8×32 and
14×32 (and register broadcasts, unroll 1/2/4, prefetch distances for A and
B): all reach ~97% of the FMA peak with the data in L1 on a quiet machine;
in the phases when the VM's neighbours load the core's memory side (they
come and go; the register-only peak loop does not notice them), 12 rows
kept 82-88% where 8 rows fell to 74-81%, and register broadcasts were up
to 14 points slower than .BCST for float64. 14 rows was no faster than 12
and leaves no spare register.

Accumulators start at -0, not +0: -0 is the identity of IEEE addition, so
c + Σ products keeps a -0 in C when every term is ±0 (as the pure-Go twin
does), and k = 0 would leave C bit-for-bit unchanged.

Prefetching: C rows at entry (they are needed only at the end, so their
latency hides behind the k loop), A 16 k steps ahead (it streams from L2 in
the blocked driver; B stays in L1). The B sliver should be 64-byte aligned:
an unaligned zmm load splits a cache line.`,
	}}
	for _, e := range []*Elem{Float32, Float64} {
		gk := sprintf("GemmKernel[%s]", e.Go)
		f.Kernels = append(f.Kernels, &Kernel{
			Slot: e.Prefix + "gemm",
			Sig:  typed("func(k int, a, b, c *T, ldc int)", e),
			Doc: sprintf("adds A·B to the %s tile at c (see GemmKernel): k ≥ 1; a, b and c "+
				"point at k·MR, k·NR and (MR−1)·ldc+NR elements; ldc ≥ NR is in elements.", e.Go),
			E:    e,
			Body: gemmKernel,
			Type: gk,
			Twin: sprintf("%s{MR: 4, NR: 4, Fn: %sgemm4x4Generic}", gk, e.Prefix),
			Name: func(t *Tier) string { return e.Prefix + "gemmKern" + gemmTile(t, e) + t.Name },
			Value: func(t *Tier) string {
				mr, nr := gemmShape(t, e)
				return sprintf("%s{MR: %d, NR: %d, Fn: %sgemm%s%s}", gk, mr, nr, e.Prefix, gemmTile(t, e), t.Name)
			},
		})
	}
	return f
}

// gemmShape is the tile of tier t: MR rows of 2 vectors.
func gemmShape(t *Tier, e *Elem) (mr, nr int) {
	if t == AVX512 {
		return 12, 2 * t.Lanes(e)
	}
	return 6, 2 * t.Lanes(e)
}

func gemmTile(t *Tier, e *Elem) string {
	mr, nr := gemmShape(t, e)
	return sprintf("%dx%d", mr, nr)
}

// gemmKernel: k in CX, A in SI, B in DI, the C row in DX, its stride in
// bytes in R8; row i of the tile accumulates in V(2i) and V(2i+1).
func gemmKernel(a *Asm) {
	mr, _ := gemmShape(a.Tier, a.E)
	vb, es := a.Tier.Bytes, a.E.Size
	stepA, stepB := mr*es, 2*vb // bytes of A and B per k step
	p := a.E.Prefix             // label prefix, as in the hand-written kernels
	a.MOVQ(a.Arg("k"), RCX)
	a.MOVQ(a.Arg("a"), RSI)
	a.MOVQ(a.Arg("b"), RDI)
	a.MOVQ(a.Arg("c"), RDX)
	a.MOVQ(a.Arg("ldc"), R8)
	a.SHLQ(U8(a.E.Shift), R8)

	// Prefetch the C rows: every line a row of 2·vb bytes can touch.
	a.MOVQ(RDX, R9)
	for i := 0; i < mr; i++ {
		for off := 0; off < stepB-1; off += 64 {
			a.PREFETCHT0(M(R9, off))
		}
		a.PREFETCHT0(M(R9, stepB-1))
		a.ADDQ(R8, R9)
	}

	a.Comment("The accumulators start at -0.")
	negZero(a)
	for i := 1; i < 2*mr; i++ {
		a.VMOVAP(a.V(0), a.V(i))
	}

	// step is one k step: row p of B at DI+boff, column p of A at SI+aoff.
	step := func(aoff, boff, bReg int) {
		b0, b1 := a.V(bReg), a.V(bReg+1)
		a.VMOVUP(M(RDI, boff), b0)
		a.VMOVUP(M(RDI, boff+vb), b1)
		for i := 0; i < mr; i++ {
			ai := M(RSI, aoff+i*es)
			if a.Tier == AVX512 {
				// Embedded broadcasts: no broadcast register.
				pick(a, a.VFMADD231PS_BCST, a.VFMADD231PD_BCST)(ai, b0, a.V(2*i))
				pick(a, a.VFMADD231PS_BCST, a.VFMADD231PD_BCST)(ai, b1, a.V(2*i+1))
				continue
			}
			// Two broadcast registers, alternating between rows.
			bc := Y(14 + i%2)
			a.VBROADCASTS(ai, bc)
			a.VFMADD231P(b0, bc, a.V(2*i))
			a.VFMADD231P(b1, bc, a.V(2*i+1))
		}
	}
	// The B registers: Y12, Y13 on avx2; Z24, Z25 and Z26, Z27 alternating
	// between steps on avx512.
	bRegs := func(s int) int {
		if a.Tier == AVX512 {
			return 24 + 2*(s%2)
		}
		return 12
	}

	a.MOVQ(RCX, RBX)
	a.SHRQ(U8(2), RBX)
	a.JZ(L(p + "tail"))
	a.Label(p + "loop4")
	a.Comment(sprintf("4 k steps = %d bytes of A and %d bytes of B; A is prefetched 16 steps ahead.", 4*stepA, 4*stepB))
	for off := 0; off < 4*stepA; off += 64 {
		a.PREFETCHT0(M(RSI, 16*stepA+off))
	}
	for s := 0; s < 4; s++ {
		step(s*stepA, s*stepB, bRegs(s))
	}
	a.ADDQ(C(4*stepA), RSI)
	a.ADDQ(C(4*stepB), RDI)
	a.DECQ(RBX)
	a.JNZ(L(p + "loop4"))

	a.Label(p + "tail")
	a.ANDQ(U8(3), RCX)
	a.JZ(L(p + "store"))
	a.Label(p + "loop1")
	step(0, 0, bRegs(0))
	a.ADDQ(C(stepA), RSI)
	a.ADDQ(C(stepB), RDI)
	a.DECQ(RCX)
	a.JNZ(L(p + "loop1"))

	a.Label(p + "store")
	for i := 0; i < mr; i++ {
		a.VADDP(M(RDX, 0), a.V(2*i), a.V(2*i))
		a.VADDP(M(RDX, vb), a.V(2*i+1), a.V(2*i+1))
		a.VMOVUP(a.V(2*i), M(RDX, 0))
		a.VMOVUP(a.V(2*i+1), M(RDX, vb))
		a.ADDQ(R8, RDX)
	}
	epilogue(a)
}

// negZero sets every lane of V0 to -0.
func negZero(a *Asm) {
	if a.E == Float32 {
		a.MOVL(U32(0x80000000), EAX)
		if a.Tier == AVX512 {
			a.VPBROADCASTD(EAX, Z(0))
			return
		}
		a.VMOVD(EAX, X(0))
		a.VBROADCASTSS(X(0), Y(0))
		return
	}
	a.MOVQ(U64(0x8000000000000000), RAX)
	if a.Tier == AVX512 {
		a.VPBROADCASTQ(RAX, Z(0))
		return
	}
	a.VMOVQ(RAX, X(0))
	a.VBROADCASTSD(X(0), Y(0))
}
