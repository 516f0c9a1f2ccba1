# Generates asm/pack_avx512_amd64.s and asm/pack_avx2_amd64.s; run from the module root (see asm/_gen/README.md).
def masks(lines, reg_src, lanes, k_lo, k_hi):
    # k_lo: lanes [0, lanes) active for i < x; k_hi: lanes [lanes, 2 lanes) for i < x
    a = lines.append
    lab = f"m{k_lo}"
    a(f"\tMOVQ    {reg_src}, CX")
    a(f"\tCMPQ    CX, ${lanes}")
    a(f"\tJLE     {lab}a")
    a(f"\tMOVQ    ${lanes}, CX")
    a(f"{lab}a:")
    a(f"\tMOVL    $1, AX")
    a(f"\tSHLL    CX, AX")
    a(f"\tDECL    AX")
    a(f"\tKMOVW   AX, K{k_lo}")
    a(f"\tMOVQ    {reg_src}, CX")
    a(f"\tSUBQ    ${lanes}, CX")
    a(f"\tJGE     {lab}b")
    a(f"\tXORQ    CX, CX")
    a(f"{lab}b:")
    a(f"\tMOVL    $1, AX")
    a(f"\tSHLL    CX, AX")
    a(f"\tDECL    AX")
    a(f"\tKMOVW   AX, K{k_hi}")

def header(a, name, prec, ld="R9", alpha="Z31", n="R10"):
    # Loads dst, w, src and ld (and n, unless n is None) and broadcasts alpha.
    t = 'float32' if prec == 's' else 'float64'
    a(f"// func {name}(dst []{t}, w int, src []{t}, ld, kc, n int, alpha {t})")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-{84 if prec == 's' else 88}")
    op(a, "MOVQ", "dst_base+0(FP), DI")
    op(a, "MOVQ", "w+24(FP), R8")
    op(a, "MOVQ", "src_base+32(FP), SI")
    op(a, "MOVQ", f"ld+56(FP), {ld}")
    if n:
        op(a, "MOVQ", f"n+72(FP), {n}")
    a(f"\tVBROADCASTS{'S' if prec == 's' else 'D'} alpha+80(FP), {alpha}")


def op(a, name, args=""):
    # opcode padded like the rest of the file ("MOVQ    DI, SI")
    a(f"\t{name:<7} {args}".rstrip())

def runs(prec):
    L = []; a = L.append
    name = f"{prec}packRunsAVX512"
    es = 4 if prec == 's' else 8
    lanes = 16 if prec == 's' else 8
    P = 'PS' if prec == 's' else 'PD'
    header(a, name, prec)
    masks(L, "R10", lanes, 1, 2)
    masks(L, "R8", lanes, 3, 4)
    a(f"\tSHLQ    ${2 if prec=='s' else 3}, R9")
    a(f"\tMOVQ    R8, R11")
    a(f"\tSHLQ    ${2 if prec=='s' else 3}, R11")
    a("\tMOVQ    kc+64(FP), CX")
    a("loop:")
    a("\tTESTQ   CX, CX")
    a("\tJZ      done")
    a(f"\tVMOVUP{P[1]}.Z (SI), K1, Z0")
    a(f"\tVMOVUP{P[1]}.Z 64(SI), K2, Z1")
    a(f"\tVMUL{P}.Z Z31, Z0, K1, Z0")
    a(f"\tVMUL{P}.Z Z31, Z1, K2, Z1")
    a(f"\tVMOVUP{P[1]}  Z0, K3, (DI)")
    a(f"\tVMOVUP{P[1]}  Z1, K4, 64(DI)")
    a("\tADDQ    R9, SI")
    a("\tADDQ    R11, DI")
    a("\tDECQ    CX")
    a("\tJMP     loop")
    a("done:")
    a("\tVZEROUPPER")
    a("\tRET")
    return "\n".join(L) + "\n"

def inter(prec):
    L = []; a = L.append
    name = f"{prec}packInterleaveAVX512"
    lanes = 16 if prec == 's' else 8
    P = 'PS' if prec == 's' else 'PD'
    idx = 'Z' if prec == 's' else 'Y'
    sc = 4 if prec == 's' else 8
    header(a, name, prec)
    # index vectors: lane*ld and lane*ld + lanes*ld (int32)
    a("\tVPBROADCASTD R9, Z29")
    a("\tVMOVDQU32 packLanes<>(SB), Z30")
    a("\tVPMULLD Z29, Z30, Z30")
    a("\tMOVQ    R9, BX")
    a(f"\tSHLQ    ${4 if prec=='s' else 3}, BX")
    a("\tVPBROADCASTD BX, Z27")
    a("\tVPADDD  Z27, Z30, Z28")
    masks(L, "R10", lanes, 1, 2)
    masks(L, "R8", lanes, 3, 4)
    a("\tMOVQ    R8, R11")
    a(f"\tSHLQ    ${2 if prec=='s' else 3}, R11")
    a("\tMOVQ    kc+64(FP), CX")
    # n ≤ one vector: a single gather per step; the upper half stores zeros.
    a(f"\tCMPQ    R10, ${lanes}")
    a("\tJG      loop")
    a("\tVPXORD  Z1, Z1, Z1")
    a("half:")
    a("\tTESTQ   CX, CX")
    a("\tJZ      done")
    a("\tKMOVW   K1, K5")
    a("\tVPXORD  Z0, Z0, Z0")
    a(f"\tVGATHERD{P} (SI)({idx}30*{sc}), K5, Z0")
    a(f"\tVMUL{P}.Z Z31, Z0, K1, Z0")
    a(f"\tVMOVUP{P[1]}  Z0, K3, (DI)")
    a(f"\tVMOVUP{P[1]}  Z1, K4, 64(DI)")
    a(f"\tADDQ    ${sc}, SI")
    a("\tADDQ    R11, DI")
    a("\tDECQ    CX")
    a("\tJMP     half")
    a("loop:")
    a("\tTESTQ   CX, CX")
    a("\tJZ      done")
    a("\tKMOVW   K1, K5")
    a("\tVPXORD  Z0, Z0, Z0")
    a(f"\tVGATHERD{P} (SI)({idx}30*{sc}), K5, Z0")
    a("\tKMOVW   K2, K6")
    a("\tVPXORD  Z1, Z1, Z1")
    a(f"\tVGATHERD{P} (SI)({idx}28*{sc}), K6, Z1")
    a(f"\tVMUL{P}.Z Z31, Z0, K1, Z0")
    a(f"\tVMUL{P}.Z Z31, Z1, K2, Z1")
    a(f"\tVMOVUP{P[1]}  Z0, K3, (DI)")
    a(f"\tVMOVUP{P[1]}  Z1, K4, 64(DI)")
    a(f"\tADDQ    ${sc}, SI")
    a("\tADDQ    R11, DI")
    a("\tDECQ    CX")
    a("\tJMP     loop")
    a("done:")
    a("\tVZEROUPPER")
    a("\tRET")
    return "\n".join(L) + "\n"

out = """//go:build amd64 && !noasm

#include "textflag.h"

// GEMM packing kernels for the avx512 tier (twins: packRunsGeneric and
// packInterleaveGeneric). A sliver group of w ≤ 2 vectors is handled with
// opmasks: lanes past n load as zero (the padding), lanes past w are not
// stored, and masked-off lanes never fault. Interleaving gathers one
// element from each of the n source rows per step (VGATHERD*), with row
// offsets lane·ld as int32 indices; the Go wrapper checks they fit.

// packLanes is 0, 1, ..., 15 as int32.
"""
for i in range(16):
    out += f"DATA packLanes<>+{4*i}(SB)/4, ${i}\n"
out += "GLOBL packLanes<>(SB), RODATA|NOPTR, $64\n"
for prec in ('s', 'd'):
    out += "\n" + runs(prec)
    out += "\n" + inter(prec)
open('asm/pack_avx512_amd64.s', 'w').write(out)

# ---- avx2 ------------------------------------------------------------------
#
# Without opmasks, a group's vectors are stored whole: the last one runs up to
# R = w rounded up to a vector past the group's start, into the next group.
# What it writes there is padding zeros (lanes ≥ w ≥ n), and the next group's
# own store, which comes later, overwrites it; so only the last groups of the
# sliver, whose stores would run past kc·w, cannot be done this way. The Go
# wrappers (pack_amd64.go) give those to the twin (see packSpill).


def runs_avx2(prec):
    L = []; a = L.append
    name = f"{prec}packRunsAVX2"
    lanes = 8 if prec == 's' else 4
    sh = 2 if prec == 's' else 3
    P = 'PS' if prec == 's' else 'PD'
    D, idx = ('D', 'packIdx32') if prec == 's' else ('Q', 'packIdx64')
    header(a, name, prec, ld="R9", alpha="Y15", n=None)
    op(a, "MOVQ", "kc+64(FP), CX")
    a("\t// Y8+v: all ones on lanes v·%d+l < n, the lanes to load; Y12+v: alpha on" % lanes)
    a("\t// them and +0 elsewhere, so the padding is +0 whatever alpha's sign.")
    op(a, "MOVQ", "n+72(FP), AX")
    op(a, "MOVQ", "AX, X14")
    op(a, f"VPBROADCAST{D}", "X14, Y14")
    for v in range(4):
        op(a, f"VPCMPGT{D}", f"{idx}<>+{32*v}(SB), Y14, Y{8+v}")
    for v in range(4):
        op(a, f"VAND{P}", f"Y15, Y{8+v}, Y{12+v}")
    op(a, "SHLQ", f"${sh}, R9")
    op(a, "MOVQ", "R8, R11")
    op(a, "SHLQ", f"${sh}, R11")
    op(a, "TESTQ", "CX, CX")
    op(a, "JZ", "done")
    a(f"\t// one loop per group width in vectors, ⌈w/{lanes}⌉")
    for v in range(1, 4):
        op(a, "CMPQ", f"R8, ${v*lanes}")
        op(a, "JLE", f"runs{v}")
    for nv in range(4, 0, -1):
        a(f"runs{nv}:")
        for v in range(nv):
            op(a, f"VMASKMOV{P}", f"{32*v}(SI), Y{8+v}, Y{v}")
        for v in range(nv):
            op(a, f"VMUL{P}", f"Y{12+v}, Y{v}, Y{v}")
        for v in range(nv):
            op(a, f"VMOVU{P}", f"Y{v}, {32*v}(DI)")
        op(a, "ADDQ", "R9, SI")
        op(a, "ADDQ", "R11, DI")
        op(a, "DECQ", "CX")
        op(a, "JNZ", f"runs{nv}")
        if nv > 1:
            op(a, "JMP", "done")
    a("done:")
    op(a, "VZEROUPPER")
    op(a, "RET")
    return "\n".join(L) + "\n"


def transpose_s(a):
    # rows r0..r7 in Y0..Y7 (columns p0..p0+7) to groups g0..g7 (rows as lanes)
    a("\t// 8×8 transpose: pairs of rows interleaved, then pairs of pairs, then")
    a("\t// the 128-bit halves swapped across (rows 0-3 | rows 4-7).")
    for k in range(4):
        op(a, "VUNPCKLPS", f"Y{2*k+1}, Y{2*k}, Y{(8+2*k) if k < 2 else 2*k-4}")
        op(a, "VUNPCKHPS", f"Y{2*k+1}, Y{2*k}, Y{(9+2*k) if k < 2 else 2*k-3}")
    # t0 t1 t2 t3 in Y8 Y9 Y10 Y11; t4 t5 t6 t7 in Y0 Y1 Y2 Y3
    op(a, "VSHUFPS", "$0x44, Y10, Y8, Y4")
    op(a, "VSHUFPS", "$0xEE, Y10, Y8, Y5")
    op(a, "VSHUFPS", "$0x44, Y11, Y9, Y6")
    op(a, "VSHUFPS", "$0xEE, Y11, Y9, Y7")
    op(a, "VSHUFPS", "$0x44, Y2, Y0, Y8")
    op(a, "VSHUFPS", "$0xEE, Y2, Y0, Y9")
    op(a, "VSHUFPS", "$0x44, Y3, Y1, Y10")
    op(a, "VSHUFPS", "$0xEE, Y3, Y1, Y11")
    # columns j and j+4 of rows 0-3 in Y4+j, of rows 4-7 in Y8+j
    for j in range(4):
        op(a, "VPERM2F128", f"$0x20, Y{8+j}, Y{4+j}, Y{j}")
    for j in range(4):
        op(a, "VPERM2F128", f"$0x31, Y{8+j}, Y{4+j}, Y{4+j}")


def transpose_d(a):
    a("\t// 4×4 transpose: pairs of rows interleaved, then the 128-bit halves")
    a("\t// swapped across (rows 0-1 | rows 2-3).")
    op(a, "VUNPCKLPD", "Y1, Y0, Y4")
    op(a, "VUNPCKHPD", "Y1, Y0, Y5")
    op(a, "VUNPCKLPD", "Y3, Y2, Y6")
    op(a, "VUNPCKHPD", "Y3, Y2, Y7")
    op(a, "VPERM2F128", "$0x20, Y6, Y4, Y0")
    op(a, "VPERM2F128", "$0x20, Y7, Y5, Y1")
    op(a, "VPERM2F128", "$0x31, Y6, Y4, Y2")
    op(a, "VPERM2F128", "$0x31, Y7, Y5, Y3")


def inter_avx2(prec):
    L = []; a = L.append
    name = f"{prec}packInterleaveAVX2"
    lanes = 8 if prec == 's' else 4           # tile side: rows, groups
    lg = 3 if prec == 's' else 2
    sh = 2 if prec == 's' else 3
    P = 'PS' if prec == 's' else 'PD'
    header(a, name, prec, ld="BX", alpha="Y15", n=None)
    # row r of a tile at R13 + r·ld (r < 4), R11 + (r−4)·ld (r ≥ 4)
    rows = ["(R13)", "(R13)(BX*1)", "(R13)(BX*2)", "(R13)(R12*1)",
            "(R11)", "(R11)(BX*1)", "(R11)(BX*2)", "(R11)(R12*1)"][:lanes]
    op(a, "SHLQ", f"${sh}, BX")
    op(a, "LEAQ", "(BX)(BX*2), R12")
    op(a, "MOVQ", "BX, R9")
    op(a, "SHLQ", f"${lg}, R9")
    op(a, "SHLQ", f"${sh}, R8")
    op(a, "MOVQ", "kc+64(FP), R10")
    a(f"\t// Row blocks of {lanes} rows, b = (w−1)/{lanes} down to 0: src at row {lanes}b, dst at")
    a(f"\t// lane {lanes}b of each group, DX = n − {lanes}b rows to load (≤ 0: all padding).")
    a("\t// The top block goes first because its stores run into the next")
    a("\t// group's block 0, which its own later store then overwrites.")
    op(a, "MOVQ", "w+24(FP), AX")
    op(a, "DECQ", "AX")
    op(a, "SHRQ", f"${lg}, AX")
    op(a, "MOVQ", "AX, R11")
    op(a, "IMULQ", "R9, R11")
    op(a, "ADDQ", "R11, SI")
    op(a, "MOVQ", "AX, R11")
    op(a, "SHLQ", "$5, R11")
    op(a, "ADDQ", "R11, DI")
    op(a, "MOVQ", "n+72(FP), DX")
    op(a, "SHLQ", f"${lg}, AX")
    op(a, "SUBQ", "AX, DX")
    a("block:")
    op(a, "MOVQ", "SI, R13")
    op(a, "MOVQ", "DI, AX")
    op(a, "MOVQ", "R10, CX")
    a(f"tile:")
    a(f"\t// {lanes} rows × {lanes} groups from R13 to AX; rows past n are +0 (never loaded).")
    if lanes == 8:
        op(a, "LEAQ", "(R13)(BX*4), R11")
    op(a, "CMPQ", f"DX, ${lanes}")
    op(a, "JL", "partial")
    for r in range(lanes):
        op(a, f"VMUL{P}", f"{rows[r]}, Y15, Y{r}")
    op(a, "JMP", "transpose")
    a("partial:")
    for r in range(lanes):
        op(a, f"VXOR{P}", f"Y{r}, Y{r}, Y{r}")
    for r in range(lanes):
        op(a, "CMPQ", f"DX, ${r}")
        op(a, "JLE", "transpose")
        op(a, f"VMUL{P}", f"{rows[r]}, Y15, Y{r}")
    a("transpose:")
    (transpose_s if prec == 's' else transpose_d)(a)
    a("\t// in group order: each store's overrun is fixed by the next")
    op(a, "MOVQ", "AX, R11")
    for j in range(0, lanes, 2):
        op(a, f"VMOVU{P}", f"Y{j}, (R11)")
        op(a, f"VMOVU{P}", f"Y{j+1}, (R11)(R8*1)")
        if j + 2 < lanes:
            op(a, "LEAQ", "(R11)(R8*2), R11")
    op(a, "ADDQ", "$32, R13")
    op(a, "LEAQ", f"(AX)(R8*{lanes}), AX")
    op(a, "SUBQ", f"${lanes}, CX")
    op(a, "CMPQ", f"CX, ${lanes}")
    op(a, "JGE", "tile")
    op(a, "TESTQ", "CX, CX")
    op(a, "JZ", "nextblock")
    a(f"\t// 1 to {lanes-1} groups left (kc ≥ {lanes}): back up so that one more tile ends at")
    a("\t// group kc−1; the groups it redoes get the same values again.")
    op(a, "MOVQ", f"${lanes}, R11")
    op(a, "SUBQ", "CX, R11")
    op(a, "MOVQ", "R11, CX")
    op(a, "SHLQ", f"${sh}, CX")
    op(a, "SUBQ", "CX, R13")
    op(a, "IMULQ", "R8, R11")
    op(a, "SUBQ", "R11, AX")
    op(a, "MOVQ", f"${lanes}, CX")
    op(a, "JMP", "tile")
    a("nextblock:")
    op(a, "SUBQ", "R9, SI")
    op(a, "SUBQ", "$32, DI")
    op(a, "ADDQ", f"${lanes}, DX")
    op(a, "CMPQ", "DI, dst_base+0(FP)")
    op(a, "JHS", "block")
    op(a, "VZEROUPPER")
    op(a, "RET")
    return "\n".join(L) + "\n"


out = """//go:build amd64 && !noasm

#include "textflag.h"

// GEMM packing kernels for the avx2 tier (twins: packRunsGeneric and
// packInterleaveGeneric), generated by asm/_gen/pack.py.
//
// Runs: each group is ⌈w/v⌉ whole vectors (v = 8 float32 or 4 float64),
// loaded with VMASKMOVP* so that lanes past n read as zero. (The wrapper
// still keeps whole vectors inside src: AMD does not promise that masked-off
// lanes never fault.) Interleaving loads v×v tiles (v rows, v consecutive k)
// and transposes them in registers: on Zen 3 that is 5-7 times faster than
// VGATHERDP*, which is barely faster than the scalar twin. It needs kc ≥ v:
// the last partial tile is redone shifted back to end at kc, so no load
// passes row n−1's element kc−1, the last one src must hold.
//
// Stores are whole vectors, so a group's last one runs into the next group;
// see pack.py for why that is safe, and packSpill (pack_amd64.go) for the
// last groups, which the Go wrappers leave to the twin.

// packIdx32 is 0, 1, ..., 31 as int32; packIdx64 is 0, 1, ..., 15 as int64.
"""
for i in range(32):
    out += f"DATA packIdx32<>+{4*i}(SB)/4, ${i}\n"
out += "GLOBL packIdx32<>(SB), RODATA|NOPTR, $128\n"
for i in range(16):
    out += f"DATA packIdx64<>+{8*i}(SB)/8, ${i}\n"
out += "GLOBL packIdx64<>(SB), RODATA|NOPTR, $128\n"
for prec in ('s', 'd'):
    out += "\n" + runs_avx2(prec)
    out += "\n" + inter_avx2(prec)
open('asm/pack_avx2_amd64.s', 'w').write(out)
