# Generates asm/pack_avx512_amd64.s; run from the module root (see asm/_gen/README.md).
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

def header(a, name, prec):
    t = 'float32' if prec == 's' else 'float64'
    a(f"// func {name}(dst []{t}, w int, src []{t}, ld, kc, n int, alpha {t})")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-{84 if prec=='s' else 88}")
    a("\tMOVQ    dst_base+0(FP), DI")
    a("\tMOVQ    w+24(FP), R8")
    a("\tMOVQ    src_base+32(FP), SI")
    a("\tMOVQ    ld+56(FP), R9")
    a("\tMOVQ    n+72(FP), R10")
    a(f"\tVBROADCASTS{'S' if prec=='s' else 'D'} alpha+80(FP), Z31")

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
