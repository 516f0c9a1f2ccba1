package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The GEMM micro-kernels (contract: GemmPanel in asm/gemm.go; twins in
// asm/gemm_generic.go; the Go adapters that check the slices and pass
// pointers are in asm/gemm_amd64.go). One call covers a panel: the M rows
// of C, MR at a time, in one column sliver of NR (two vector registers),
// with A read through strides, so that the same kernel runs on a packed A
// sliver, on a row-major A in place and on a column-major A in place.
func gemm() *KernelFamily {
	f := &KernelFamily{Name: "gemm", Doc: map[*Tier]string{
		AVX2: `GEMM micro-kernels for the avx2 tier (the contract is GemmPanel in
gemm.go): C[M×cols] (+)= A·B for one column sliver, MR = 6 rows at a time.
Tiles: float32 6×16, float64 6×8, i.e. 6 rows × 2 ymm.

Why this shape: with 16 ymm registers, 12 accumulators + 2 B vectors + 2
broadcast registers is the largest tile that fits, and 12 independent FMA
chains cover the 4-cycle latency on both FMA ports. (4×24 measured the
same; 6×16 packs A in groups of 6 like BLIS's Haswell kernel.) The two
broadcast registers alternate so consecutive rows do not serialise on one
register. k is unrolled by 4.

A is read through strides (element (i, p) of a tile at i·rsA + p·csA), so
one kernel serves a packed sliver (rsA = 1, csA = MR), a row-major A in
place (rsA = lda, csA = 1) and a column-major one (rsA = 1, csA = lda):
rows 0–2 are broadcast from R8 + {0, 1, 2}·rsA and rows 3–5 from R9,
which step by csA. B rows are NR contiguous elements ldb apart (a packed
sliver, or a row-major B in place).

Each element is one chain of fused multiply-adds over p in order, from -0
(the identity of IEEE addition; +0 when the panel overwrites C, which
gives the bits of adding the -0 sum to a zeroed C), then added to C and
the bias. The edge of a panel narrower than NR loads C and the bias under
VMASKMOVP* and stores whole vectors, then 4, 2 and 1 lanes (masked stores
are microcoded and slow on AMD cores). C rows are prefetched at the start
of a tile, A 16 k steps ahead (which is the next lines of a packed sliver).`,
		AVX512: `GEMM micro-kernels for the avx512 tier (the contract is GemmPanel in
gemm.go): C[M×cols] (+)= A·B for one column sliver, MR = 12 rows at a time.
Tiles: float32 12×32, float64 12×16, i.e. 12 rows × 2 zmm.

Why this shape: 24 zmm accumulators hide the 4-cycle FMA latency on both
FMA ports with room to spare, and leave 8 registers, 4 of which hold two
B rows (the k loop is unrolled by 4 and alternates B registers so
consecutive steps do not wait on each other's loads). A is read with
embedded-broadcast FMAs (.BCST), so a k step costs 2 B loads and 24 FMAs,
and no broadcast register. Measured on the Xeon of issue 2 against 8×32
and 14×32 (and register broadcasts, unroll 1/2/4, prefetch distances for
A and B): all reach ~97% of the FMA peak with the data in L1 on a quiet
machine; in the phases when the VM's neighbours load the core's memory
side, 12 rows kept 82-88% where 8 rows fell to 74-81%. 14 rows was no
faster than 12 and leaves no spare register.

A is read through strides, as in the avx2 kernels: rows 0–2, 3–5, 6–8
and 9–11 from four bases (R8, R9, AX, R13) plus {0, 1, 2}·rsA, each
base stepping by csA. The code is the avx2 kernel's, instruction for
instruction, with zmm registers, embedded broadcasts and opmasks: K1 and
K2 hold the columns of the sliver's two vectors (all ones in a full
panel), and every load and store of C and of the bias goes under them.

Accumulators start at -0 (+0 when the panel overwrites C), as in the avx2
kernels. C rows are prefetched at the start of a tile, A 16 k steps ahead.
The B sliver should be 64-byte aligned: an unaligned zmm load splits a
cache line.`,
	}}
	sig := "func(k int, a *T, rsA, csA, tsA int, b *T, ldb int, c *T, ldc, m, cols, flags int, bias *T)"
	for _, e := range []*Elem{Float32, Float64} {
		gk := sprintf("GemmKernel[%s]", e.Go)
		f.Kernels = append(f.Kernels, &Kernel{
			Slot: e.Prefix + "gemm",
			Sig:  typed(sig, e),
			Doc: sprintf("computes the %s panel of GemmPanel: strides in elements, "+
				"1 ≤ cols ≤ NR, m ≥ 1, flags as GemmFlags; bias may be nil without a bias flag.", e.Go),
			E:    e,
			Body: gemmKernel(2),
			Type: gk,
			Twin: sprintf("%s{MR: 4, NR: 4, Fn: %sgemm4x4Generic}", gk, e.Prefix),
			Name: func(t *Tier) string { return e.Prefix + "gemmKern" + gemmTile(t, e, 2) + t.Name },
			Value: func(t *Tier) string {
				mr, nr := gemmShape(t, e)
				return sprintf("%s{MR: %d, NR: %d, Fn: %sgemm%s%s}", gk, mr, nr, e.Prefix, gemmTile(t, e, 2), t.Name)
			},
		})
		// The narrow kernel: one vector per row, for a panel of at most
		// one vector of columns (the edge of an N that is not a multiple
		// of NR). It has no table field: the wide kernel's adapter calls it.
		f.Kernels = append(f.Kernels, &Kernel{
			Slot:    e.Prefix + "gemmNarrow",
			Sig:     typed(sig, e),
			Doc:     sprintf("is the %s kernel for panels with cols ≤ NR/2, one vector per row.", e.Go),
			E:       e,
			Body:    gemmKernel(1),
			Name:    func(t *Tier) string { return e.Prefix + "gemmKern" + gemmTile(t, e, 1) + t.Name },
			NoField: true,
		})
	}
	return f
}

// The flags of a panel (asm.GemmFlags).
const (
	flagOverwrite = 1
	flagBiasCols  = 2
	flagBiasRows  = 4
)

// gemmShape is the tile of tier t: MR rows of 2 vectors.
func gemmShape(t *Tier, e *Elem) (mr, nr int) {
	if t == AVX512 {
		return 12, 2 * t.Lanes(e)
	}
	return 6, 2 * t.Lanes(e)
}

// gemmTile names the tile of a kernel with nv vectors per row.
func gemmTile(t *Tier, e *Elem, nv int) string {
	mr, nr := gemmShape(t, e)
	return sprintf("%dx%d", mr, nr*nv/2)
}

// gemmBases are the registers that address A's rows 3j..3j+2 (plus 0, 1
// or 2 times rsA in R10).
func gemmBases(t *Tier) []Register {
	if t == AVX512 {
		return []Register{R8, R9, RAX, R13}
	}
	return []Register{R8, R9}
}

// gemmKernel: registers through the k loop —
//
//	SI   the current tile of A         R10  rsA in bytes
//	R8…  the row bases (gemmBases)     R11  csA in bytes
//	DI   row p of the B sliver         R12  ldb in bytes
//	DX   row 0 of the tile of C        R14  ldc in bytes
//	R15  rows of C left (≥ 1)          BX, CX  the k counters
//
// and row i of the tile accumulates in V(nv·i) … V(nv·i + nv − 1), nv = 2
// for the wide kernels and 1 for the narrow ones.
func gemmKernel(nv int) func(a *Asm) {
	return func(a *Asm) { gemmBody(a, nv) }
}

func gemmBody(a *Asm, nv int) {
	mr, _ := gemmShape(a.Tier, a.E)
	es := a.E.Size
	p := a.E.Prefix // label prefix
	bases := gemmBases(a.Tier)
	bytes := func(arg string, r Register) {
		a.MOVQ(a.Arg(arg), r)
		a.SHLQ(U8(a.E.Shift), r)
	}
	a.MOVQ(a.Arg("a"), RSI)
	bytes("rsA", R10)
	bytes("csA", R11)
	bytes("ldb", R12)
	a.MOVQ(a.Arg("c"), RDX)
	bytes("ldc", R14)
	a.MOVQ(a.Arg("m"), R15)
	gemmSetMasks(a, nv)

	a.Label(p + "tile")
	// Prefetch the C rows: every line a row of nv vectors can touch.
	a.MOVQ(RDX, RBX)
	for i := 0; i < mr; i++ {
		a.PREFETCHT0(M(RBX, 0))
		a.PREFETCHT0(M(RBX, nv*a.Tier.Bytes-1))
		a.ADDQ(R14, RBX)
	}
	a.Comment("The accumulators start at -0, or +0 when C is overwritten.")
	negZero(a)
	a.TESTQ(U32(flagOverwrite), a.Arg("flags"))
	a.JZ(L(p + "zeroed"))
	vzero(a, 0)
	a.Label(p + "zeroed")
	for i := 1; i < nv*mr; i++ {
		a.VMOVAP(a.V(0), a.V(i))
	}
	a.MOVQ(RSI, bases[0])
	for j := 1; j < len(bases); j++ {
		a.LEAQ(MI(bases[j-1], 0, R10, 2), bases[j])
		a.ADDQ(R10, bases[j])
	}
	a.MOVQ(a.Arg("b"), RDI)
	gemmLoop(a, bases, nv)
	gemmStore(a, nv)

	a.Comment("Next tile.")
	a.MOVQ(a.Arg("tsA"), RBX)
	a.SHLQ(U8(a.E.Shift), RBX)
	a.ADDQ(RBX, RSI)
	a.TESTQ(U32(flagBiasRows), a.Arg("flags"))
	a.JZ(L(p + "next"))
	a.ADDQ(C(mr*es), a.Arg("bias"))
	a.Label(p + "next")
	a.SUBQ(C(mr), R15)
	a.JG(L(p + "tile"))
	epilogue(a)
}

// gemmLoop is the k loop of one tile, unrolled by 4.
func gemmLoop(a *Asm, bases []Register, nv int) {
	mr, _ := gemmShape(a.Tier, a.E)
	vb, es := a.Tier.Bytes, a.E.Size
	p := a.E.Prefix
	// step is one k step: row p of B at DI, column p of A at the bases.
	step := func(bReg int) {
		for v := 0; v < nv; v++ {
			a.VMOVUP(M(RDI, v*vb), a.V(bReg+v))
		}
		for i := 0; i < mr; i++ {
			ai := M(bases[i/3], 0)
			if i%3 > 0 {
				ai = MI(bases[i/3], 0, R10, uint8(i%3))
			}
			if a.Tier == AVX512 {
				// Embedded broadcasts: no broadcast register.
				for v := 0; v < nv; v++ {
					pick(a, a.VFMADD231PS_BCST, a.VFMADD231PD_BCST)(ai, a.V(bReg+v), a.V(nv*i+v))
				}
				continue
			}
			// Two broadcast registers, alternating between rows.
			bc := Y(14 + i%2)
			a.VBROADCASTS(ai, bc)
			for v := 0; v < nv; v++ {
				a.VFMADD231P(a.V(bReg+v), bc, a.V(nv*i+v))
			}
		}
		for _, r := range bases {
			a.ADDQ(R11, r)
		}
		a.ADDQ(R12, RDI)
	}
	// The B registers: Y12, Y13 on avx2; Z24, Z25 and Z26, Z27 alternating
	// between steps on avx512.
	bRegs := func(s int) int {
		if a.Tier == AVX512 {
			return 24 + 2*(s%2)
		}
		return 12
	}
	a.MOVQ(a.Arg("k"), RCX)
	a.MOVQ(RCX, RBX)
	a.SHRQ(U8(2), RBX)
	a.JZ(L(p + "tail"))
	a.Label(p + "loop4")
	stepA := mr * es // bytes per k step of a packed sliver
	a.Comment(sprintf("4 k steps; a packed A sliver (%d bytes a step) is prefetched 16 steps ahead.", stepA))
	for off := 0; off < 4*stepA; off += 64 {
		a.PREFETCHT0(M(bases[0], 16*stepA+off))
	}
	for s := 0; s < 4; s++ {
		step(bRegs(s))
	}
	a.DECQ(RBX)
	a.JNZ(L(p + "loop4"))

	a.Label(p + "tail")
	a.ANDQ(U8(3), RCX)
	a.JZ(L(p + "sums"))
	a.Label(p + "loop1")
	step(bRegs(0))
	a.DECQ(RCX)
	a.JNZ(L(p + "loop1"))
	a.Label(p + "sums")
}

// gemmSetMasks prepares the column masks of a panel narrower than its
// nv vectors: K1 and K2 (avx512: the columns of the two vectors, all ones
// in a full panel). The avx2 kernels make theirs in the store (gemmStore).
func gemmSetMasks(a *Asm, nv int) {
	if a.Tier != AVX512 {
		return
	}
	lanes := a.Lanes()
	a.MOVQ(a.Arg("cols"), RBX)
	a.MOVQ(RBX, RCX)
	a.CMPQ(RCX, C(lanes))
	a.JLE(L(a.E.Prefix + "mask1"))
	a.MOVQ(U32(lanes), RCX)
	a.Label(a.E.Prefix + "mask1")
	lowMask(a, K(1))
	if nv == 1 {
		return
	}
	a.MOVQ(RBX, RCX)
	a.SUBQ(C(lanes), RCX)
	a.JGE(L(a.E.Prefix + "mask2"))
	a.XORQ(RCX, RCX)
	a.Label(a.E.Prefix + "mask2")
	lowMask(a, K(2))
}

// gemmStore finishes a tile: sums (+ C unless overwriting) (+ bias), then
// stores the rows that exist (R15 of them, at most MR), and leaves DX at
// the next tile's row 0. The avx2 kernels branch to a second copy for a
// panel narrower than NR; the avx512 kernels run every load and store of
// C and the bias under K1 and K2.
func gemmStore(a *Asm, nv int) {
	p := a.E.Prefix
	if a.Tier == AVX512 {
		gemmFinish(a, p+"w", nv, true)
		return
	}
	a.CMPQ(a.Arg("cols"), C(nv*a.Lanes()))
	a.JL(L(p + "edge"))
	gemmFinish(a, p+"w", nv, false)
	a.JMP(L(p + "stored"))
	a.Label(p + "edge")
	gemmFinish(a, p+"e", nv, true)
	a.Label(p + "stored")
}

// gemmFinish writes the finishing code of a tile; masked says whether the
// panel may be narrower than NR. Labels start with lab.
func gemmFinish(a *Asm, lab string, nv int, masked bool) {
	mr, _ := gemmShape(a.Tier, a.E)
	vb, es := a.Tier.Bytes, a.E.Size
	avx2Edge := masked && a.Tier != AVX512
	if avx2Edge {
		// Y14 and Y15, free after the k loop: the lanes < cols and < cols − lanes.
		a.MOVQ(a.Arg("cols"), RCX)
		for v := 0; v < nv; v++ {
			m := Y(14 + v)
			if a.E == Float32 {
				a.VMOVD(ECX, m.AsX())
			} else {
				a.VMOVQ(RCX, m.AsX())
			}
			a.VPBROADCAST(m.AsX(), m)
			if a.E == Float32 {
				a.VPCMPGT(a.Iota32("gemmIota32", 8), m, m)
			} else {
				a.VPCMPGT(a.Iota64("gemmIota64", 4), m, m)
			}
			a.SUBQ(C(a.Lanes()), RCX)
		}
	}
	// load is a load of C or the bias, masked as the panel needs; the
	// loaded value goes to tmp.
	tmp := func(v int) VecPhysical {
		if a.Tier == AVX512 {
			return Z(28 + v)
		}
		return Y(12 + v)
	}
	load := func(mem Mem, v int) {
		switch {
		case a.Tier == AVX512:
			a.VMOVUP_Z(mem, K(1+v), tmp(v))
		case masked:
			a.VMASKMOVP(mem, Y(14+v), tmp(v))
		default:
			a.VMOVUP(mem, tmp(v))
		}
	}
	// rows runs body for row i = 0..MR−1 while i < R15.
	rows := func(name string, body func(i int)) {
		for i := 0; i < mr; i++ {
			if i > 0 {
				a.CMPQ(R15, C(i))
				a.JLE(L(lab + name))
			}
			body(i)
		}
		a.Label(lab + name)
	}

	a.TESTQ(U32(flagOverwrite), a.Arg("flags"))
	a.JNZ(L(lab + "bias"))
	a.MOVQ(RDX, RBX)
	rows("addc", func(i int) {
		for v := 0; v < nv; v++ {
			load(M(RBX, v*vb), v)
			a.VADDP(tmp(v), a.V(nv*i+v), a.V(nv*i+v))
		}
		a.ADDQ(R14, RBX)
	})
	a.Label(lab + "bias")
	a.MOVQ(a.Arg("bias"), RBX)
	a.TESTQ(U32(flagBiasCols), a.Arg("flags"))
	a.JZ(L(lab + "brows"))
	for v := 0; v < nv; v++ {
		load(M(RBX, v*vb), v)
	}
	for i := 0; i < nv*mr; i++ {
		a.VADDP(tmp(i%nv), a.V(i), a.V(i))
	}
	a.Label(lab + "brows")
	a.TESTQ(U32(flagBiasRows), a.Arg("flags"))
	a.JZ(L(lab + "store"))
	rows("browsdone", func(i int) {
		a.VBROADCASTS(M(RBX, i*es), tmp(0))
		for v := 0; v < nv; v++ {
			a.VADDP(tmp(0), a.V(nv*i+v), a.V(nv*i+v))
		}
	})

	a.Label(lab + "store")
	if !avx2Edge {
		rows("rowsdone", func(i int) {
			for v := 0; v < nv; v++ {
				if a.Tier == AVX512 {
					a.VMOVUP(a.V(nv*i+v), K(1+v), M(RDX, v*vb))
				} else {
					a.VMOVUP(a.V(nv*i+v), M(RDX, v*vb))
				}
			}
			a.ADDQ(R14, RDX)
		})
		return
	}
	// avx2, narrower than the nv vectors: whole vectors, then the lanes
	// left (CX of them) in pieces of 4, 2 and 1 (float32) or 2 and 1
	// (float64).
	lanes := a.Lanes()
	a.MOVQ(a.Arg("cols"), RCX)
	if nv == 1 {
		rows("nrows", func(i int) {
			a.MOVQ(RDX, RBX)
			storeLanes(a, a.V(i), RBX, sprintf("%sn%d", lab, i))
			a.ADDQ(R14, RDX)
		})
		return
	}
	a.CMPQ(RCX, C(lanes))
	a.JL(L(lab + "narrow"))
	a.SUBQ(C(lanes), RCX)
	rows("wide", func(i int) {
		a.VMOVUP(a.V(2*i), M(RDX, 0))
		a.LEAQ(M(RDX, vb), RBX)
		storeLanes(a, a.V(2*i+1), RBX, sprintf("%sw%d", lab, i))
		a.ADDQ(R14, RDX)
	})
	a.JMP(L(lab + "done"))
	a.Label(lab + "narrow")
	rows("nrows", func(i int) {
		a.MOVQ(RDX, RBX)
		storeLanes(a, a.V(2*i), RBX, sprintf("%sn%d", lab, i))
		a.ADDQ(R14, RDX)
	})
	a.Label(lab + "done")
}

// storeLanes stores the low CX (< lanes) elements of the ymm register v at
// BX, clobbering v and BX.
func storeLanes(a *Asm, v VecPhysical, ptr Register, lab string) {
	x := v.AsX()
	es := a.E.Size
	piece := a.Lanes() / 2 // elements in an xmm
	for n := piece; n >= 1; n /= 2 {
		a.TESTQ(U32(n), RCX)
		a.JZ(L(sprintf("%s_%d", lab, n)))
		switch {
		case n == piece:
			a.VMOVUP(x, M(ptr, 0))
			a.VEXTRACTF128(U8(1), v, x)
		case n == 2: // float32 only: the low 64 bits
			a.VMOVLPS(x, M(ptr, 0))
			a.VMOVHLPS(x, x, x)
		default:
			a.VMOVS(x, M(ptr, 0))
		}
		if n > 1 {
			a.ADDQ(C(n*es), ptr)
		}
		a.Label(sprintf("%s_%d", lab, n))
	}
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
