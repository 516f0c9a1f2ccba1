#!/usr/bin/env python3
"""Generates asm/vector_{avx512,avx2}_amd64.s (prints one tier to stdout; see asm/_gen/README.md)."""
import sys


class T:
    def __init__(self, name, size, p, s, mv):
        self.name, self.size, self.p, self.s = name, size, p, s
        self.mv = mv  # packed move suffix


F32 = T("float32", 4, "PS", "SS", "UPS")
F64 = T("float64", 8, "PD", "SD", "UPD")


class Tier:
    def __init__(self, name, reg, vb):
        self.name, self.reg, self.vb = name, reg, vb


AVX512 = Tier("AVX512", "Z", 64)
AVX2 = Tier("AVX2", "Y", 32)


def lanes(tier, t):
    return tier.vb // t.size


def fmt(lines):
    """Align opcodes within blocks like asmfmt."""
    out = []
    block = []

    def flush():
        if not block:
            return
        w = max(len(op) for op, _ in block if _ is not None) if any(a is not None for _, a in block) else 0
        for op, args in block:
            if args is None:
                out.append("\t" + op)
            else:
                out.append("\t" + op.ljust(w) + " " + args)
        block.clear()

    for ln in lines:
        if ln.startswith("C:"):
            flush()
            out.append("\t// " + ln[2:].strip())
        elif ln == "" or ln.endswith(":") or ln.startswith("//") or ln.startswith("TEXT"):
            flush()
            out.append(ln)
        else:
            parts = ln.split(None, 1)
            block.append((parts[0], parts[1] if len(parts) > 1 else None))
    flush()
    return out


def off(o, reg):
    return f"{o}({reg})" if o else f"({reg})"


def loops(tier, t, ptrs, block4, block1, after):
    """Main 4-vector loop then a 1-vector loop; falls through to label `after`."""
    L = lanes(tier, t)
    big, small = 4 * L, L
    r = []
    r += [f"loop{big}:", f"CMPQ CX, ${big}", f"JL loop{small}"]
    r += block4
    r += [f"ADDQ ${4 * tier.vb}, {p}" for p in ptrs]
    r += [f"SUBQ ${big}, CX", f"JMP loop{big}", ""]
    r += [f"loop{small}:", f"CMPQ CX, ${small}", f"JL {after}"]
    r += block1
    r += [f"ADDQ ${tier.vb}, {p}" for p in ptrs]
    r += [f"SUBQ ${small}, CX", f"JMP loop{small}", ""]
    return r


def mask_tail(skip):
    return ["tail:", "TESTQ CX, CX", f"JZ {skip}",
            "C: K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.",
            "MOVL $1, AX", "SHLL CX, AX", "DECL AX", "KMOVW AX, K1"]


def scalar_tail(t, ptrs, body, done="done"):
    r = ["tail:", "TESTQ CX, CX", f"JZ {done}"]
    r += body
    r += [f"ADDQ ${t.size}, {p}" for p in ptrs]
    r += ["DECQ CX", "JMP tail", ""]
    return r


def vzero(tier, regs):
    if tier is AVX512:
        return [f"VPXORD Z{i}, Z{i}, Z{i}" for i in regs]
    return [f"VXORP{'S'} Y{i}, Y{i}, Y{i}" for i in regs]


def hsum(tier, t):
    """Adds V0..V3 and reduces to the low lane of X0."""
    V, p = tier.reg, t.p
    r = [f"VADD{p} {V}1, {V}0, {V}0", f"VADD{p} {V}3, {V}2, {V}2", f"VADD{p} {V}2, {V}0, {V}0"]
    if tier is AVX512:
        r += ["VEXTRACTF64X4 $1, Z0, Y1", f"VADD{p} Y1, Y0, Y0"]
    r += ["VEXTRACTF128 $1, Y0, X1", f"VADD{p} X1, X0, X0"]
    if t is F32:
        r += ["VMOVHLPS X0, X0, X1", "VADDPS X1, X0, X0", "VMOVSHDUP X0, X1", "VADDSS X1, X0, X0"]
    else:
        r += ["VUNPCKHPD X0, X0, X1", "VADDSD X1, X0, X0"]
    return r


REDUCE_FIRST = "C: Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes."


def header(name, sig, frame):
    return [f"// func {name}{sig}", f"TEXT ·{name}(SB), NOSPLIT, $0-{frame}"]


def epilogue():
    return ["VZEROUPPER", "RET"]


def gname(kind, tier, t):
    return ("s" if t is F32 else "d") + kind + tier.name


def dot(tier, t):
    V, vb, mv = tier.reg, tier.vb, t.mv
    name = gname("dot", tier, t)
    retoff, frame = 48, 48 + t.size
    r = header(name, f"(x, y []{t.name}) {t.name}", frame)
    r += ["MOVQ x_base+0(FP), SI", "MOVQ x_len+8(FP), CX", "MOVQ y_base+24(FP), DI"]
    r += vzero(tier, range(4)) + [""]
    b4 = [f"VMOV{mv} {off(i * vb, 'SI')}, {V}{4 + i}" for i in range(4)]
    b4 += [f"VFMADD231{t.p} {off(i * vb, 'DI')}, {V}{4 + i}, {V}{i}" for i in range(4)]
    b1 = [f"VMOV{mv} (SI), {V}4", f"VFMADD231{t.p} (DI), {V}4, {V}0"]
    if tier is AVX512:
        r += loops(tier, t, ["SI", "DI"], b4, b1, "tail")
        r += mask_tail("reduce")
        r += [f"VMOV{mv}.Z (SI), K1, Z4", f"VMOV{mv}.Z (DI), K1, Z5", f"VFMADD231{t.p} Z5, Z4, Z1", ""]
        r += ["reduce:"] + hsum(tier, t)
        r += [f"VMOV{t.s} X0, ret+{retoff}(FP)"] + epilogue()
    else:
        r += loops(tier, t, ["SI", "DI"], b4, b1, "reduce")
        r += ["reduce:", REDUCE_FIRST] + hsum(tier, t) + [""]
        r += scalar_tail(t, ["SI", "DI"], [f"VMOV{t.s} (SI), X1", f"VFMADD231{t.s} (DI), X1, X0"])
        r += ["done:", f"VMOV{t.s} X0, ret+{retoff}(FP)"] + epilogue()
    return r


def sum_(tier, t):
    V, vb, mv = tier.reg, tier.vb, t.mv
    name = gname("sum", tier, t)
    retoff, frame = 24, 24 + t.size
    r = header(name, f"(x []{t.name}) {t.name}", frame)
    r += ["MOVQ x_base+0(FP), SI", "MOVQ x_len+8(FP), CX"]
    r += vzero(tier, range(4)) + [""]
    b4 = [f"VADD{t.p} {off(i * vb, 'SI')}, {V}{i}, {V}{i}" for i in range(4)]
    b1 = [f"VADD{t.p} (SI), {V}0, {V}0"]
    if tier is AVX512:
        r += loops(tier, t, ["SI"], b4, b1, "tail")
        r += mask_tail("reduce")
        r += [f"VMOV{mv}.Z (SI), K1, Z4", f"VADD{t.p} Z4, Z1, Z1", ""]
        r += ["reduce:"] + hsum(tier, t)
        r += [f"VMOV{t.s} X0, ret+{retoff}(FP)"] + epilogue()
    else:
        r += loops(tier, t, ["SI"], b4, b1, "reduce")
        r += ["reduce:", REDUCE_FIRST] + hsum(tier, t) + [""]
        r += scalar_tail(t, ["SI"], [f"VADD{t.s} (SI), X0, X0"])
        r += ["done:", f"VMOV{t.s} X0, ret+{retoff}(FP)"] + epilogue()
    return r


def axpy(tier, t):
    V, vb, mv = tier.reg, tier.vb, t.mv
    name = gname("axpy", tier, t)
    r = header(name, f"(alpha {t.name}, x, y []{t.name})", 56)
    r += [f"VBROADCAST{t.s} alpha+0(FP), {V}0", "MOVQ x_base+8(FP), SI", "MOVQ x_len+16(FP), CX",
          "MOVQ y_base+32(FP), DI", ""]
    b4 = [f"VMOV{mv} {off(i * vb, 'SI')}, {V}{1 + i}" for i in range(4)]
    b4 += [f"VFMADD213{t.p} {off(i * vb, 'DI')}, {V}0, {V}{1 + i}" for i in range(4)]
    b4 += [f"VMOV{mv} {V}{1 + i}, {off(i * vb, 'DI')}" for i in range(4)]
    b1 = [f"VMOV{mv} (SI), {V}1", f"VFMADD213{t.p} (DI), {V}0, {V}1", f"VMOV{mv} {V}1, (DI)"]
    r += loops(tier, t, ["SI", "DI"], b4, b1, "tail")
    if tier is AVX512:
        r += mask_tail("done")
        r += [f"VMOV{mv}.Z (SI), K1, Z1", f"VMOV{mv}.Z (DI), K1, Z2", f"VFMADD231{t.p} Z1, Z0, Z2",
              f"VMOV{mv} Z2, K1, (DI)", ""]
    else:
        r += scalar_tail(t, ["SI", "DI"], [f"VMOV{t.s} (SI), X1", f"VFMADD213{t.s} (DI), X0, X1",
                                           f"VMOV{t.s} X1, (DI)"])
    r += ["done:"] + epilogue()
    return r


def scal(tier, t):
    V, vb, mv = tier.reg, tier.vb, t.mv
    name = gname("scal", tier, t)
    r = header(name, f"(alpha {t.name}, x []{t.name})", 32)
    r += [f"VBROADCAST{t.s} alpha+0(FP), {V}0", "MOVQ x_base+8(FP), SI", "MOVQ x_len+16(FP), CX", ""]
    b4 = [f"VMUL{t.p} {off(i * vb, 'SI')}, {V}0, {V}{1 + i}" for i in range(4)]
    b4 += [f"VMOV{mv} {V}{1 + i}, {off(i * vb, 'SI')}" for i in range(4)]
    b1 = [f"VMUL{t.p} (SI), {V}0, {V}1", f"VMOV{mv} {V}1, (SI)"]
    r += loops(tier, t, ["SI"], b4, b1, "tail")
    if tier is AVX512:
        r += mask_tail("done")
        r += [f"VMOV{mv}.Z (SI), K1, Z1", f"VMUL{t.p} Z1, Z0, Z1", f"VMOV{mv} Z1, K1, (SI)", ""]
    else:
        r += scalar_tail(t, ["SI"], [f"VMUL{t.s} (SI), X0, X1", f"VMOV{t.s} X1, (SI)"])
    r += ["done:"] + epilogue()
    return r


def binop(kind, op):
    def gen(tier, t):
        V, vb, mv = tier.reg, tier.vb, t.mv
        name = gname(kind, tier, t)
        r = header(name, f"(dst, a, b []{t.name})", 72)
        r += ["MOVQ dst_base+0(FP), DX", "MOVQ dst_len+8(FP), CX", "MOVQ a_base+24(FP), SI",
              "MOVQ b_base+48(FP), DI", ""]
        b4 = [f"VMOV{mv} {off(i * vb, 'SI')}, {V}{i}" for i in range(4)]
        b4 += [f"{op}{t.p} {off(i * vb, 'DI')}, {V}{i}, {V}{i}" for i in range(4)]
        b4 += [f"VMOV{mv} {V}{i}, {off(i * vb, 'DX')}" for i in range(4)]
        b1 = [f"VMOV{mv} (SI), {V}0", f"{op}{t.p} (DI), {V}0, {V}0", f"VMOV{mv} {V}0, (DX)"]
        ptrs = ["SI", "DI", "DX"]
        r += loops(tier, t, ptrs, b4, b1, "tail")
        if tier is AVX512:
            r += mask_tail("done")
            r += [f"VMOV{mv}.Z (SI), K1, Z0", f"VMOV{mv}.Z (DI), K1, Z1", f"{op}{t.p} Z1, Z0, Z0",
                  f"VMOV{mv} Z0, K1, (DX)", ""]
        else:
            r += scalar_tail(t, ptrs, [f"VMOV{t.s} (SI), X0", f"{op}{t.s} (DI), X0, X0",
                                       f"VMOV{t.s} X0, (DX)"])
        r += ["done:"] + epilogue()
        return r
    return gen


def maxabs(tier, t):
    """max |x| as an unsigned-integer max of the bit patterns with the sign
    cleared: for non-negative floats the integer order is the float order,
    and every NaN pattern is above +Inf, so a NaN anywhere wins."""
    V, vb, mv = tier.reg, tier.vb, t.mv
    name = gname("maxabs", tier, t)
    w = "D" if t is F32 else "Q"
    retoff, frame = 24, 24 + t.size
    r = header(name, f"(x []{t.name}) {t.name}", frame)
    r += ["MOVQ x_base+0(FP), SI", "MOVQ x_len+8(FP), CX"]
    if tier is AVX512:
        maxi = f"VPMAXU{w}"
        r += ["C: Z4 = all ones >> 1, the mask that clears the sign bit.",
              f"VPTERNLOG{w} $0xff, Z4, Z4, Z4", f"VPSRL{w} $1, Z4, Z4"]
        r += vzero(tier, range(4)) + [""]
        b4 = [f"VPAND{w} {off(i * vb, 'SI')}, Z4, Z{5 + i}" for i in range(4)]
        b4 += [f"{maxi} Z{5 + i}, Z{i}, Z{i}" for i in range(4)]
        b1 = [f"VPAND{w} (SI), Z4, Z5", f"{maxi} Z5, Z0, Z0"]
        r += loops(tier, t, ["SI"], b4, b1, "tail")
        r += mask_tail("reduce")
        r += ["C: Masked-off lanes are 0, which never beats a real |x|.",f"VMOVDQU{32 if t is F32 else 64}.Z (SI), K1, Z5", f"VPAND{w} Z5, Z4, Z5", f"{maxi} Z5, Z1, Z1", ""]
        r += ["reduce:", f"{maxi} Z1, Z0, Z0", f"{maxi} Z3, Z2, Z2", f"{maxi} Z2, Z0, Z0"]
        if t is F32:
            r += ["VEXTRACTI64X4 $1, Z0, Y1", "VPMAXUD Y1, Y0, Y0", "VEXTRACTI128 $1, Y0, X1",
                  "VPMAXUD X1, X0, X0", "VPSHUFD $0x4e, X0, X1", "VPMAXUD X1, X0, X0",
                  "VPSHUFD $0xb1, X0, X1", "VPMAXUD X1, X0, X0"]
        else:
            r += ["C: VPMAXUQ has no VEX form: stay on zmm; only the low lanes matter.","VEXTRACTI64X4 $1, Z0, Y1", "VPMAXUQ Z1, Z0, Z0", "VEXTRACTI128 $1, Y0, X1",
                  "VPMAXUQ Z1, Z0, Z0", "VPSHUFD $0x4e, X0, X1", "VPMAXUQ Z1, Z0, Z0"]
        r += [f"VMOV{t.s} X0, ret+{retoff}(FP)"] + epilogue()
        return r
    # AVX2
    r += ["C: Y4 = all ones >> 1, the mask that clears the sign bit.",
          f"VPCMPEQ{w} Y4, Y4, Y4", f"VPSRL{w} $1, Y4, Y4"]
    r += [f"VPXOR Y{i}, Y{i}, Y{i}" for i in range(4)] + [""]
    b4 = [f"VPAND {off(i * vb, 'SI')}, Y4, Y{5 + i}" for i in range(4)]
    if t is F32:
        b4 += [f"VPMAXUD Y{5 + i}, Y{i}, Y{i}" for i in range(4)]
        b1 = ["VPAND (SI), Y4, Y5", "VPMAXUD Y5, Y0, Y0"]
        red = ["VPMAXUD Y1, Y0, Y0", "VPMAXUD Y3, Y2, Y2", "VPMAXUD Y2, Y0, Y0",
               "VEXTRACTI128 $1, Y0, X1", "VPMAXUD X1, X0, X0", "VPSHUFD $0x4e, X0, X1",
               "VPMAXUD X1, X0, X0", "VPSHUFD $0xb1, X0, X1", "VPMAXUD X1, X0, X0"]
        tail = ["VMOVSS (SI), X1", "VPAND X4, X1, X1", "VPMAXUD X1, X0, X0"]
    else:
        return dmaxabs_avx2(r)
    r += loops(tier, t, ["SI"], b4, b1, "reduce")
    r += ["reduce:", REDUCE_FIRST] + red + [""]
    r += scalar_tail(t, ["SI"], tail)
    r += ["done:", f"VMOV{t.s} X0, ret+{retoff}(FP)"] + epilogue()
    return r


def dmaxabs_avx2(r):
    """float64 has no VPMAXUQ before AVX-512 (and VPCMPGTQ+VBLENDVPD is slow),
    so it takes VMAXPD of |x| and, beside it, the sum of |x|: a sum of
    non-negative terms is NaN exactly when a term is NaN (it may overflow to
    +Inf, never to NaN), which catches the NaNs VMAXPD drops."""
    r = r[:4] + ["C: Y4 = all ones >> 1, the mask that clears the sign bit.",
                 "VPCMPEQQ Y4, Y4, Y4", "VPSRLQ $1, Y4, Y4"]
    r += ["C: Y0-Y3 hold the maxima, Y9-Y12 the sums of |x| that detect NaN."]
    r += [f"VXORPD Y{i}, Y{i}, Y{i}" for i in (0, 1, 2, 3, 9, 10, 11, 12)] + [""]
    b4 = [f"VANDPD {off(i * 32, 'SI')}, Y4, Y{5 + i}" for i in range(4)]
    b4 += [f"VMAXPD Y{5 + i}, Y{i}, Y{i}" for i in range(4)]
    b4 += [f"VADDPD Y{5 + i}, Y{9 + i}, Y{9 + i}" for i in range(4)]
    b1 = ["VANDPD (SI), Y4, Y5", "VMAXPD Y5, Y0, Y0", "VADDPD Y5, Y9, Y9"]
    red = ["VMAXPD Y1, Y0, Y0", "VMAXPD Y3, Y2, Y2", "VMAXPD Y2, Y0, Y0",
           "VADDPD Y10, Y9, Y9", "VADDPD Y12, Y11, Y11", "VADDPD Y11, Y9, Y9",
           "VEXTRACTF128 $1, Y0, X1", "VMAXPD X1, X0, X0", "VUNPCKHPD X0, X0, X1", "VMAXSD X1, X0, X0",
           "VEXTRACTF128 $1, Y9, X1", "VADDPD X1, X9, X9", "VUNPCKHPD X9, X9, X1", "VADDSD X1, X9, X9"]
    tail = ["VMOVSD (SI), X1", "VANDPD X4, X1, X1", "VMAXSD X1, X0, X0", "VADDSD X1, X9, X9"]
    r += loops(AVX2, F64, ["SI"], b4, b1, "reduce")
    r += ["reduce:", REDUCE_FIRST] + red + [""]
    r += scalar_tail(F64, ["SI"], tail)
    r += ["done:", "VUCOMISD X9, X9", "JPS nan", "VMOVSD X0, ret+24(FP)"] + epilogue() + [""]
    r += ["nan:", "VMOVSD X9, ret+24(FP)"] + epilogue()
    return r


KERNELS = [("dot", dot), ("axpy", axpy), ("scal", scal), ("add", binop("add", "VADD")),
           ("sub", binop("sub", "VSUB")), ("mul", binop("mul", "VMUL")), ("sum", sum_),
           ("maxabs", maxabs)]

HEAD = {
    AVX512: """//go:build amd64 && !noasm

#include "textflag.h"

// Vector kernels for the avx512 tier. Loops run 4 zmm registers (64 float32
// or 32 float64) per iteration, then single zmm registers; the tail uses an
// opmask, so no element past the end is read or written (masked-off lanes
// of a load never fault). Reductions keep 4 independent accumulators, to
// hide the latency of the adds, and sum them pairwise at the end.
//
// maxabs compares bit patterns as unsigned integers with the sign bit
// cleared: for non-negative floats that order is the float order, and every
// NaN pattern lies above +Inf, so one NaN anywhere makes the result NaN
// (VMAXPS would drop a NaN held in its first operand).
""",
    AVX2: """//go:build amd64 && !noasm

#include "textflag.h"

// Vector kernels for the avx2 tier. Loops run 4 ymm registers (32 float32
// or 16 float64) per iteration, then single ymm registers; the tail is
// scalar (AVX2 has no cheap opmask). Reductions keep 4 independent
// accumulators, reduce them to one scalar, then add the tail to it.
//
// smaxabsAVX2 compares bit patterns as integers with the sign bit cleared:
// for non-negative floats that order is the float order, and every NaN
// pattern lies above +Inf, so one NaN anywhere makes the result NaN (VMAXPS
// would drop a NaN held in its first operand). float64 has no VPMAXUQ before
// AVX-512, so dmaxabsAVX2 takes VMAXPD of |x| and, beside it, the sum of
// |x|: a sum of non-negative terms is NaN exactly when some term is NaN (it
// may overflow to +Inf, never to NaN), and that catches the NaNs VMAXPD drops.
""",
}


def main():
    tier = {"avx512": AVX512, "avx2": AVX2}[sys.argv[1]]
    out = [HEAD[tier].rstrip("\n")]
    for kind, gen in KERNELS:
        for t in (F32, F64):
            out.append("")
            out += fmt(gen(tier, t))
    print("\n".join(out))


main()
