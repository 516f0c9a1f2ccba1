# Generates asm/lincomb_{avx512,avx2}_amd64.s; run from the module root (see asm/_gen/README.md).
def kernel(name, tier, prec):
    z = 'Z' if tier == 'avx512' else 'Y'
    vb = 64 if tier == 'avx512' else 32          # bytes per vector
    es = 4 if prec == 's' else 8                  # element size
    lanes = vb // es
    P = 'PS' if prec == 's' else 'PD'
    S = 'SS' if prec == 's' else 'SD'
    bc = 'VBROADCASTSS' if prec == 's' else 'VBROADCASTSD'
    shift = 2 if prec == 's' else 3
    # frame: dst(0,8,16) beta(24) coef(32,40,48) src(56,64,72) ld(80)
    L = []
    a = L.append
    a(f"// func {name}(dst []{'float32' if prec=='s' else 'float64'}, beta {'float32' if prec=='s' else 'float64'}, coef, src []{'float32' if prec=='s' else 'float64'}, ld int)")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-88")
    a(f"\tMOVQ    dst_base+0(FP), DI")
    a(f"\tMOVQ    dst_len+8(FP), CX")
    a(f"\t{bc} beta+24(FP), {z}15")
    a(f"\tMOVQ    coef_base+32(FP), R8")
    a(f"\tMOVQ    coef_len+40(FP), R9")
    a(f"\tMOVQ    src_base+56(FP), SI")
    a(f"\tMOVQ    ld+80(FP), R10")
    a(f"\tSHLQ    ${shift}, R10")
    # BX = 1 if beta == 0
    a(f"\tXORQ    BX, BX")
    a(f"\tVXOR{P}  X14, X14, X14")
    a(f"\tVUCOMI{S} X14, X15")
    a(f"\tJNE     wide")
    a(f"\tJP      wide")
    a(f"\tMOVQ    $1, BX")
    # wide chunks of 4 vectors
    a("wide:")
    a(f"\tCMPQ    CX, ${4*lanes}")
    a(f"\tJL      single")
    for r in range(4):
        a(f"\tVXOR{P}  {z}{r}, {z}{r}, {z}{r}" if tier=='avx2' else f"\tVPXORD  {z}{r}, {z}{r}, {z}{r}")
    a(f"\tTESTQ   BX, BX")
    a(f"\tJNZ     wideterms")
    for r in range(4):
        a(f"\tVMUL{P}  {r*vb}(DI), {z}15, {z}{r}")
    a("wideterms:")
    a(f"\tMOVQ    SI, R11")
    a(f"\tMOVQ    R8, R12")
    a(f"\tMOVQ    R9, R13")
    a("wideloop:")
    a(f"\tTESTQ   R13, R13")
    a(f"\tJZ      widestore")
    a(f"\t{bc} (R12), {z}4")
    for r in range(4):
        a(f"\tVFMADD231{P} {r*vb}(R11), {z}4, {z}{r}")
    a(f"\tADDQ    R10, R11")
    a(f"\tADDQ    ${es}, R12")
    a(f"\tDECQ    R13")
    a(f"\tJMP     wideloop")
    a("widestore:")
    for r in range(4):
        a(f"\tVMOVUP{P[1]}  {z}{r}, {r*vb}(DI)")
    a(f"\tADDQ    ${4*vb}, DI")
    a(f"\tADDQ    ${4*vb}, SI")
    a(f"\tSUBQ    ${4*lanes}, CX")
    a(f"\tJMP     wide")
    # single vectors
    a("single:")
    a(f"\tCMPQ    CX, ${lanes}")
    a(f"\tJL      tail")
    a(f"\tVXOR{P}  {z}0, {z}0, {z}0" if tier=='avx2' else f"\tVPXORD  {z}0, {z}0, {z}0")
    a(f"\tTESTQ   BX, BX")
    a(f"\tJNZ     singleterms")
    a(f"\tVMUL{P}  (DI), {z}15, {z}0")
    a("singleterms:")
    a(f"\tMOVQ    SI, R11")
    a(f"\tMOVQ    R8, R12")
    a(f"\tMOVQ    R9, R13")
    a("singleloop:")
    a(f"\tTESTQ   R13, R13")
    a(f"\tJZ      singlestore")
    a(f"\t{bc} (R12), {z}4")
    a(f"\tVFMADD231{P} (R11), {z}4, {z}0")
    a(f"\tADDQ    R10, R11")
    a(f"\tADDQ    ${es}, R12")
    a(f"\tDECQ    R13")
    a(f"\tJMP     singleloop")
    a("singlestore:")
    a(f"\tVMOVUP{P[1]}  {z}0, (DI)")
    a(f"\tADDQ    ${vb}, DI")
    a(f"\tADDQ    ${vb}, SI")
    a(f"\tSUBQ    ${lanes}, CX")
    a(f"\tJMP     single")
    a("tail:")
    a(f"\tTESTQ   CX, CX")
    a(f"\tJZ      done")
    if tier == 'avx512':
        # masked final vector
        a(f"\tMOVL    $1, AX")
        a(f"\tSHLL    CX, AX")
        a(f"\tDECL    AX")
        a(f"\tKMOVW   AX, K1")
        a(f"\tVPXORD  Z0, Z0, Z0")
        a(f"\tTESTQ   BX, BX")
        a(f"\tJNZ     tailterms")
        a(f"\tVMOVUP{P[1]}.Z (DI), K1, Z0")
        a(f"\tVMUL{P}  Z0, Z15, Z0")
        a("tailterms:")
        a(f"\tMOVQ    SI, R11")
        a(f"\tMOVQ    R8, R12")
        a(f"\tMOVQ    R9, R13")
        a("tailloop:")
        a(f"\tTESTQ   R13, R13")
        a(f"\tJZ      tailstore")
        a(f"\t{bc} (R12), Z4")
        a(f"\tVMOVUP{P[1]}.Z (R11), K1, Z5")
        a(f"\tVFMADD231{P} Z5, Z4, Z0")
        a(f"\tADDQ    R10, R11")
        a(f"\tADDQ    ${es}, R12")
        a(f"\tDECQ    R13")
        a(f"\tJMP     tailloop")
        a("tailstore:")
        a(f"\tVMOVUP{P[1]}  Z0, K1, (DI)")
    else:
        # scalar elements
        a(f"\tVXOR{P}  X0, X0, X0")
        a(f"\tTESTQ   BX, BX")
        a(f"\tJNZ     tailterms")
        a(f"\tVMOV{S}  (DI), X0")
        a(f"\tVMUL{S}  X0, X15, X0")
        a("tailterms:")
        a(f"\tMOVQ    SI, R11")
        a(f"\tMOVQ    R8, R12")
        a(f"\tMOVQ    R9, R13")
        a("tailloop:")
        a(f"\tTESTQ   R13, R13")
        a(f"\tJZ      tailstore")
        a(f"\tVMOV{S}  (R12), X4")
        a(f"\tVFMADD231{S} (R11), X4, X0")
        a(f"\tADDQ    R10, R11")
        a(f"\tADDQ    ${es}, R12")
        a(f"\tDECQ    R13")
        a(f"\tJMP     tailloop")
        a("tailstore:")
        a(f"\tVMOV{S}  X0, (DI)")
        a(f"\tADDQ    ${es}, DI")
        a(f"\tADDQ    ${es}, SI")
        a(f"\tDECQ    CX")
        a(f"\tJMP     tail")
    a("done:")
    a("\tVZEROUPPER")
    a("\tRET")
    return "\n".join(L) + "\n"

hdr = """//go:build amd64 && !noasm

#include "textflag.h"

// Linear combinations of matrix rows (SlinComb/DlinComb) for the %s tier:
// 4 vector accumulators per column chunk, the rows' terms streamed through
// them with one broadcast and one FMA each, so each output is stored once.
"""
for tier in ('avx512', 'avx2'):
    with open(f'asm/lincomb_{tier}_amd64.s', 'w') as f:
        f.write(hdr % tier)
        for prec in ('s', 'd'):
            f.write("\n" + kernel(f"{prec}lincomb{tier.upper()}", tier, prec))
