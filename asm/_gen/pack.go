package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The GEMM packing kernels (asm/pack.go; adapters in asm/pack_amd64.go).
// A sliver group of w elements is one or two zmm registers under opmasks on
// avx512, and up to 4 whole ymm registers on avx2, whose stores run past the
// group into the next one (which overwrites them later): the adapters leave
// the last groups, whose stores would leave the sliver, to the twin.
func pack() *KernelFamily {
	f := &KernelFamily{Name: "pack", Doc: map[*Tier]string{
		AVX512: `GEMM packing kernels for the avx512 tier (twins: packRunsGeneric and
packInterleaveGeneric). A sliver group of w ≤ 2 vectors is handled with
opmasks: lanes past n load as zero (the padding), lanes past w are not
stored, and masked-off lanes never fault. Interleaving is the avx2 tier's
kernel: its 8×8 transposes in registers beat a VGATHERD* of one element
from each of 16 source rows per step on Zen 4 too (mlpNT 256×512×512,
float32: 79 against 93 GFLOP/s for the whole GEMM).`,
		AVX2: `GEMM packing kernels for the avx2 tier (twins: packRunsGeneric and
packInterleaveGeneric).

Runs: each group is ⌈w/v⌉ whole vectors (v = 8 float32 or 4 float64),
loaded with VMASKMOVP* so that lanes past n read as zero. (The wrapper
still keeps whole vectors inside src: AMD does not promise that masked-off
lanes never fault.) Interleaving loads v×v tiles (v rows, v consecutive k)
and transposes them in registers: on Zen 3 that is 5-7 times faster than
VGATHERDP*, which is barely faster than the scalar twin. It needs kc ≥ v:
the last partial tile is redone shifted back to end at kc, so no load
passes row n−1's element kc−1, the last one src must hold.

Stores are whole vectors, so a group's last one runs into the next group.
What they write there is padding zeros (lanes ≥ w ≥ n), and the next
group's own store, which comes later, overwrites it; packSpill
(pack_amd64.go) gives the last groups, whose stores would run past kc·w,
to the twin.`,
	}}
	const sig = "func(dst []T, w int, src []T, ld, kc, n int, alpha T)"
	for _, e := range []*Elem{Float32, Float64} {
		maxW := 2 * AVX512.Lanes(e)
		lanes := AVX2.Lanes(e)
		f.Kernels = append(f.Kernels,
			&Kernel{
				Slot: e.Prefix + "packRuns",
				Sig:  typed(sig, e),
				Doc:  sprintf("is packRunsGeneric for %s (w ≤ %d).", e.Go, maxW),
				TierDoc: map[*Tier]string{AVX2: "Each group's stores run " +
					"past it to whole vectors (see packSpill); kc ≥ 1."},
				E:    e,
				Body: packRuns,
				Value: func(t *Tier) string {
					if t == AVX2 {
						return sprintf("packRunsAVX2(%spackRunsAVX2, %d)", e.Prefix, lanes)
					}
					return e.Prefix + "packRuns" + t.Name
				},
			},
			&Kernel{
				Slot: e.Prefix + "packInterleave",
				Sig:  typed(sig, e),
				Doc:  sprintf("is packInterleaveGeneric for %s (w ≤ %d).", e.Go, maxW),
				TierDoc: map[*Tier]string{
					AVX2: sprintf("Its stores run past each group like "+
						"%spackRunsAVX2's; kc ≥ %d.", e.Prefix, lanes),
				},
				E:     e,
				Body:  packInterleaveAVX2,
				Tiers: []*Tier{AVX2},
				Value: func(*Tier) string {
					return sprintf("packInterleaveAVX2(%spackInterleaveAVX2, %d)", e.Prefix, lanes)
				},
			})
	}
	return f
}

func packRuns(a *Asm) {
	if a.Tier == AVX512 {
		packRunsAVX512(a)
	} else {
		packRunsAVX2(a)
	}
}

// packArgs loads dst into DI, w into R8, src into SI and ld into the given
// register (and n into R10 unless n is nil), and broadcasts alpha.
func packArgs(a *Asm, ld Register, alpha VecPhysical, n Register) {
	a.MOVQ(a.Arg("dst_base"), RDI)
	a.MOVQ(a.Arg("w"), R8)
	a.MOVQ(a.Arg("src_base"), RSI)
	a.MOVQ(a.Arg("ld"), ld)
	if n != nil {
		a.MOVQ(a.Arg("n"), n)
	}
	a.VBROADCASTS(a.Arg("alpha"), alpha)
}

// packMasks sets opmask lo to the lanes i < min(x, lanes) of the first
// vector and hi to the lanes i < x − lanes of the second (x in src).
func packMasks(a *Asm, src Register, lo, hi int) {
	lanes := a.Lanes()
	lab := sprintf("m%d", lo)
	a.MOVQ(src, RCX)
	a.CMPQ(RCX, C(lanes))
	a.JLE(L(lab + "a"))
	a.MOVQ(U32(lanes), RCX)
	a.Label(lab + "a")
	lowMask(a, K(lo))
	a.MOVQ(src, RCX)
	a.SUBQ(C(lanes), RCX)
	a.JGE(L(lab + "b"))
	a.XORQ(RCX, RCX)
	a.Label(lab + "b")
	lowMask(a, K(hi))
}

// packRunsAVX512: K1, K2 = the lanes < n to load, K3, K4 = the lanes < w
// to store, of a group's two vectors.
func packRunsAVX512(a *Asm) {
	packArgs(a, R9, Z(31), R10)
	packMasks(a, R10, 1, 2)
	packMasks(a, R8, 3, 4)
	a.SHLQ(U8(a.E.Shift), R9)
	a.MOVQ(R8, R11)
	a.SHLQ(U8(a.E.Shift), R11)
	a.MOVQ(a.Arg("kc"), RCX)
	a.Label("loop")
	a.TESTQ(RCX, RCX)
	a.JZ(L("done"))
	a.VMOVUP_Z(M(RSI, 0), K(1), Z(0))
	a.VMOVUP_Z(M(RSI, 64), K(2), Z(1))
	a.VMULP_Z(Z(31), Z(0), K(1), Z(0))
	a.VMULP_Z(Z(31), Z(1), K(2), Z(1))
	a.VMOVUP(Z(0), K(3), M(RDI, 0))
	a.VMOVUP(Z(1), K(4), M(RDI, 64))
	a.ADDQ(R9, RSI)
	a.ADDQ(R11, RDI)
	a.DECQ(RCX)
	a.JMP(L("loop"))
	a.Label("done")
	epilogue(a)
}

// packRunsAVX2: a group is 1 to 4 whole vectors, one loop per count.
// Y8+v is all ones on the lanes v·lanes+l < n, the lanes to load; Y12+v
// is alpha on them and +0 elsewhere, so the padding is +0 whatever alpha's
// sign.
func packRunsAVX2(a *Asm) {
	lanes := a.Lanes()
	idx := a.Iota32("packIdx32", 32)
	if a.E == Float64 {
		idx = a.Iota64("packIdx64", 16)
	}
	packArgs(a, R9, Y(15), nil)
	a.MOVQ(a.Arg("kc"), RCX)
	a.Comment(sprintf("Y8+v: all ones on lanes v·%d+l < n, the lanes to load; Y12+v: alpha on", lanes),
		"them and +0 elsewhere, so the padding is +0 whatever alpha's sign.")
	a.MOVQ(a.Arg("n"), RAX)
	a.MOVQ(RAX, X(14))
	a.VPBROADCAST(X(14), Y(14))
	for v := 0; v < 4; v++ {
		a.VPCMPGT(idx.Offset(32*v), Y(14), Y(8+v))
	}
	for v := 0; v < 4; v++ {
		a.VANDP(Y(15), Y(8+v), Y(12+v))
	}
	a.SHLQ(U8(a.E.Shift), R9)
	a.MOVQ(R8, R11)
	a.SHLQ(U8(a.E.Shift), R11)
	a.TESTQ(RCX, RCX)
	a.JZ(L("done"))
	a.Comment(sprintf("one loop per group width in vectors, ⌈w/%d⌉", lanes))
	for v := 1; v < 4; v++ {
		a.CMPQ(R8, C(v*lanes))
		a.JLE(L(sprintf("runs%d", v)))
	}
	for nv := 4; nv >= 1; nv-- {
		a.Label(sprintf("runs%d", nv))
		for v := 0; v < nv; v++ {
			a.VMASKMOVP(M(RSI, 32*v), Y(8+v), Y(v))
		}
		for v := 0; v < nv; v++ {
			a.VMULP(Y(12+v), Y(v), Y(v))
		}
		for v := 0; v < nv; v++ {
			a.VMOVUP(Y(v), M(RDI, 32*v))
		}
		a.ADDQ(R9, RSI)
		a.ADDQ(R11, RDI)
		a.DECQ(RCX)
		a.JNZ(L(sprintf("runs%d", nv)))
		if nv > 1 {
			a.JMP(L("done"))
		}
	}
	a.Label("done")
	epilogue(a)
}

// packInterleaveAVX2 packs v×v tiles (v = lanes: v rows, v consecutive k),
// transposed in registers. Row r of a tile is at R13 + r·ld for r < 4 and
// R11 + (r−4)·ld above (BX = ld, R12 = 3·ld, in bytes).
func packInterleaveAVX2(a *Asm) {
	v := a.Lanes()
	lg := map[int]uint8{8: 3, 4: 2}[v]
	sh := a.E.Shift
	rows := []Mem{
		M(R13, 0), MI(R13, 0, RBX, 1), MI(R13, 0, RBX, 2), MI(R13, 0, R12, 1),
		M(R11, 0), MI(R11, 0, RBX, 1), MI(R11, 0, RBX, 2), MI(R11, 0, R12, 1),
	}[:v]
	packArgs(a, RBX, Y(15), nil)
	a.SHLQ(U8(sh), RBX)
	a.LEAQ(MI(RBX, 0, RBX, 2), R12)
	a.MOVQ(RBX, R9)
	a.SHLQ(U8(lg), R9)
	a.SHLQ(U8(sh), R8)
	a.MOVQ(a.Arg("kc"), R10)
	a.Comment(sprintf("Row blocks of %d rows, b = (w−1)/%d down to 0: src at row %db, dst at", v, v, v),
		sprintf("lane %db of each group, DX = n − %db rows to load (≤ 0: all padding).", v, v),
		"The top block goes first because its stores run into the next",
		"group's block 0, which its own later store then overwrites.")
	a.MOVQ(a.Arg("w"), RAX)
	a.DECQ(RAX)
	a.SHRQ(U8(lg), RAX)
	a.MOVQ(RAX, R11)
	a.IMULQ(R9, R11)
	a.ADDQ(R11, RSI)
	a.MOVQ(RAX, R11)
	a.SHLQ(U8(5), R11)
	a.ADDQ(R11, RDI)
	a.MOVQ(a.Arg("n"), RDX)
	a.SHLQ(U8(lg), RAX)
	a.SUBQ(RAX, RDX)

	a.Label("block")
	a.MOVQ(RSI, R13)
	a.MOVQ(RDI, RAX)
	a.MOVQ(R10, RCX)

	a.Label("tile")
	a.Comment(sprintf("%d rows × %d groups from R13 to AX; rows past n are +0 (never loaded).", v, v))
	if v == 8 {
		a.LEAQ(MI(R13, 0, RBX, 4), R11)
	}
	a.CMPQ(RDX, C(v))
	a.JL(L("partial"))
	for r := 0; r < v; r++ {
		a.VMULP(rows[r], Y(15), Y(r))
	}
	a.JMP(L("transpose"))
	a.Label("partial")
	for r := 0; r < v; r++ {
		a.VXORP(Y(r), Y(r), Y(r))
	}
	for r := 0; r < v; r++ {
		a.CMPQ(RDX, C(r))
		a.JLE(L("transpose"))
		a.VMULP(rows[r], Y(15), Y(r))
	}
	a.Label("transpose")
	if v == 8 {
		transpose8x8(a)
	} else {
		transpose4x4(a)
	}
	a.Comment("in group order: each store's overrun is fixed by the next")
	a.MOVQ(RAX, R11)
	for j := 0; j < v; j += 2 {
		a.VMOVUP(Y(j), M(R11, 0))
		a.VMOVUP(Y(j+1), MI(R11, 0, R8, 1))
		if j+2 < v {
			a.LEAQ(MI(R11, 0, R8, 2), R11)
		}
	}
	a.ADDQ(C(32), R13)
	a.LEAQ(MI(RAX, 0, R8, uint8(v)), RAX)
	a.SUBQ(C(v), RCX)
	a.CMPQ(RCX, C(v))
	a.JGE(L("tile"))
	a.TESTQ(RCX, RCX)
	a.JZ(L("nextblock"))
	a.Comment(sprintf("1 to %d groups left (kc ≥ %d): back up so that one more tile ends at", v-1, v),
		"group kc−1; the groups it redoes get the same values again.")
	a.MOVQ(U32(v), R11)
	a.SUBQ(RCX, R11)
	a.MOVQ(R11, RCX)
	a.SHLQ(U8(sh), RCX)
	a.SUBQ(RCX, R13)
	a.IMULQ(R8, R11)
	a.SUBQ(R11, RAX)
	a.MOVQ(U32(v), RCX)
	a.JMP(L("tile"))

	a.Label("nextblock")
	a.SUBQ(R9, RSI)
	a.SUBQ(C(32), RDI)
	a.ADDQ(C(v), RDX)
	a.CMPQ(RDI, a.Arg("dst_base"))
	a.JHS(L("block"))
	epilogue(a)
}

// transpose8x8 transposes the float32 rows r0..r7 in Y0..Y7 (columns
// p0..p0+7) into the groups g0..g7 (rows as lanes) in Y0..Y7.
func transpose8x8(a *Asm) {
	a.Comment("8×8 transpose: pairs of rows interleaved, then pairs of pairs, then",
		"the 128-bit halves swapped across (rows 0-3 | rows 4-7).")
	for k := 0; k < 4; k++ {
		lo, hi := 8+2*k, 9+2*k
		if k >= 2 {
			lo, hi = 2*k-4, 2*k-3
		}
		a.VUNPCKLPS(Y(2*k+1), Y(2*k), Y(lo))
		a.VUNPCKHPS(Y(2*k+1), Y(2*k), Y(hi))
	}
	// t0 t1 t2 t3 in Y8 Y9 Y10 Y11; t4 t5 t6 t7 in Y0 Y1 Y2 Y3.
	a.VSHUFPS(U8(0x44), Y(10), Y(8), Y(4))
	a.VSHUFPS(U8(0xEE), Y(10), Y(8), Y(5))
	a.VSHUFPS(U8(0x44), Y(11), Y(9), Y(6))
	a.VSHUFPS(U8(0xEE), Y(11), Y(9), Y(7))
	a.VSHUFPS(U8(0x44), Y(2), Y(0), Y(8))
	a.VSHUFPS(U8(0xEE), Y(2), Y(0), Y(9))
	a.VSHUFPS(U8(0x44), Y(3), Y(1), Y(10))
	a.VSHUFPS(U8(0xEE), Y(3), Y(1), Y(11))
	// Columns j and j+4 of rows 0-3 in Y4+j, of rows 4-7 in Y8+j.
	for j := 0; j < 4; j++ {
		a.VPERM2F128(U8(0x20), Y(8+j), Y(4+j), Y(j))
	}
	for j := 0; j < 4; j++ {
		a.VPERM2F128(U8(0x31), Y(8+j), Y(4+j), Y(4+j))
	}
}

// transpose4x4 transposes the float64 rows in Y0..Y3 into groups in Y0..Y3.
func transpose4x4(a *Asm) {
	a.Comment("4×4 transpose: pairs of rows interleaved, then the 128-bit halves",
		"swapped across (rows 0-1 | rows 2-3).")
	a.VUNPCKLPD(Y(1), Y(0), Y(4))
	a.VUNPCKHPD(Y(1), Y(0), Y(5))
	a.VUNPCKLPD(Y(3), Y(2), Y(6))
	a.VUNPCKHPD(Y(3), Y(2), Y(7))
	a.VPERM2F128(U8(0x20), Y(6), Y(4), Y(0))
	a.VPERM2F128(U8(0x20), Y(7), Y(5), Y(1))
	a.VPERM2F128(U8(0x31), Y(6), Y(4), Y(2))
	a.VPERM2F128(U8(0x31), Y(7), Y(5), Y(3))
}
