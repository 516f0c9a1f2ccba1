//go:build amd64 && !noasm

#include "textflag.h"

// Fused element-wise kernels (fused.go) for the avx512 tier: 16 lanes per
// step, the tail under an opmask (masked-off lanes load as zero and are
// never stored). The reductions keep 4 accumulators in their 64-lane loop.
// The derivative kernels test their optional operands once per vector; the
// branches always go the same way, so they cost next to nothing.

// TAILMASK sets K1 to the low CX bits (0 < CX < 16).
#define TAILMASK \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX;     \
	KMOVW AX, K1

// HSUM16 sums the lanes of Z0 into X0 (clobbers Z1).
#define HSUM16 \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VADDPS        X1, X0, X0; \
	VMOVHLPS      X0, X0, X1; \
	VADDPS        X1, X0, X0; \
	VMOVSHDUP     X0, X1;     \
	VADDSS        X1, X0, X0

// func sfmaAVX512(dst, a, b, c []float32)
TEXT ·sfmaAVX512(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ c_base+72(FP), R8

fma64:
	CMPQ        CX, $64
	JL          fma16
	VMOVUPS     (SI), Z0
	VMOVUPS     64(SI), Z1
	VMOVUPS     128(SI), Z2
	VMOVUPS     192(SI), Z3
	VMOVUPS     (DX), Z4
	VMOVUPS     64(DX), Z5
	VMOVUPS     128(DX), Z6
	VMOVUPS     192(DX), Z7
	VFMADD213PS (R8), Z4, Z0
	VFMADD213PS 64(R8), Z5, Z1
	VFMADD213PS 128(R8), Z6, Z2
	VFMADD213PS 192(R8), Z7, Z3
	VMOVUPS     Z0, (DI)
	VMOVUPS     Z1, 64(DI)
	VMOVUPS     Z2, 128(DI)
	VMOVUPS     Z3, 192(DI)
	ADDQ        $256, SI
	ADDQ        $256, DX
	ADDQ        $256, R8
	ADDQ        $256, DI
	SUBQ        $64, CX
	JMP         fma64

fma16:
	CMPQ        CX, $16
	JL          fmatail
	VMOVUPS     (SI), Z0
	VMOVUPS     (DX), Z4
	VFMADD213PS (R8), Z4, Z0
	VMOVUPS     Z0, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, R8
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         fma16

fmatail:
	TESTQ       CX, CX
	JZ          fmadone
	TAILMASK
	VMOVUPS.Z   (SI), K1, Z0
	VMOVUPS.Z   (DX), K1, Z4
	VMOVUPS.Z   (R8), K1, Z8
	VFMADD213PS Z8, Z4, Z0
	VMOVUPS     Z0, K1, (DI)

fmadone:
	VZEROUPPER
	RET

// MDOT16: ACC += A·B in the lanes where !(X > 0) (NGT_US, so NaN counts).
// Z30 = 0; K2 is scratch.
#define MDOT16(X, A, B, ACC) \
	VCMPPS      $0x1a, Z30, X, K2; \
	VFMADD231PS A, B, K2, ACC

// func smaskedDotAVX512(x, a, b []float32) float32
TEXT ·smaskedDotAVX512(SB), NOSPLIT, $0-76
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   a_base+24(FP), DX
	MOVQ   b_base+48(FP), R8
	VPXORD Z30, Z30, Z30
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

md64:
	CMPQ    CX, $64
	JL      md16
	VMOVUPS (SI), Z4
	VMOVUPS 64(SI), Z5
	VMOVUPS 128(SI), Z6
	VMOVUPS 192(SI), Z7
	VMOVUPS (DX), Z8
	VMOVUPS 64(DX), Z9
	VMOVUPS 128(DX), Z10
	VMOVUPS 192(DX), Z11
	VMOVUPS (R8), Z12
	VMOVUPS 64(R8), Z13
	VMOVUPS 128(R8), Z14
	VMOVUPS 192(R8), Z15
	MDOT16(Z4, Z8, Z12, Z0)
	MDOT16(Z5, Z9, Z13, Z1)
	MDOT16(Z6, Z10, Z14, Z2)
	MDOT16(Z7, Z11, Z15, Z3)
	ADDQ    $256, SI
	ADDQ    $256, DX
	ADDQ    $256, R8
	SUBQ    $64, CX
	JMP     md64

md16:
	CMPQ    CX, $16
	JL      mdtail
	VMOVUPS (SI), Z4
	VMOVUPS (DX), Z8
	VMOVUPS (R8), Z12
	MDOT16(Z4, Z8, Z12, Z0)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	SUBQ    $16, CX
	JMP     md16

mdtail:
	TESTQ     CX, CX
	JZ        mdsum
	TAILMASK
	VMOVUPS.Z (SI), K1, Z4 // masked-off lanes: x = a = b = 0 adds 0
	VMOVUPS.Z (DX), K1, Z8
	VMOVUPS.Z (R8), K1, Z12
	MDOT16(Z4, Z8, Z12, Z1)

mdsum:
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	HSUM16
	VMOVSS X0, ret+72(FP)
	VZEROUPPER
	RET

// LRBD16: with X = x, D = dy (replaced by dx), Z = z: ACC += dy·z and
// dx = slope·dy in the lanes where !(x > 0). Z31 = slope, Z30 = 0.
#define LRBD16(X, D, Z, ACC) \
	VCMPPS      $0x1a, Z30, X, K2; \
	VFMADD231PS Z, D, K2, ACC;     \
	VMULPS      Z31, D, K2, D

// func sleakyReLUBackwardDotAVX512(dx, x, dy, z []float32, slope float32) float32
TEXT ·sleakyReLUBackwardDotAVX512(SB), NOSPLIT, $0-108
	MOVQ         dx_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         dy_base+48(FP), DX
	MOVQ         z_base+72(FP), R8
	VBROADCASTSS slope+96(FP), Z31
	VPXORD       Z30, Z30, Z30
	VPXORD       Z0, Z0, Z0
	VPXORD       Z1, Z1, Z1
	VPXORD       Z2, Z2, Z2
	VPXORD       Z3, Z3, Z3

lb64:
	CMPQ    CX, $64
	JL      lb16
	VMOVUPS (SI), Z4
	VMOVUPS 64(SI), Z5
	VMOVUPS 128(SI), Z6
	VMOVUPS 192(SI), Z7
	VMOVUPS (DX), Z8
	VMOVUPS 64(DX), Z9
	VMOVUPS 128(DX), Z10
	VMOVUPS 192(DX), Z11
	VMOVUPS (R8), Z12
	VMOVUPS 64(R8), Z13
	VMOVUPS 128(R8), Z14
	VMOVUPS 192(R8), Z15
	LRBD16(Z4, Z8, Z12, Z0)
	LRBD16(Z5, Z9, Z13, Z1)
	LRBD16(Z6, Z10, Z14, Z2)
	LRBD16(Z7, Z11, Z15, Z3)
	VMOVUPS Z8, (DI)
	VMOVUPS Z9, 64(DI)
	VMOVUPS Z10, 128(DI)
	VMOVUPS Z11, 192(DI)
	ADDQ    $256, SI
	ADDQ    $256, DX
	ADDQ    $256, R8
	ADDQ    $256, DI
	SUBQ    $64, CX
	JMP     lb64

lb16:
	CMPQ    CX, $16
	JL      lbtail
	VMOVUPS (SI), Z4
	VMOVUPS (DX), Z8
	VMOVUPS (R8), Z12
	LRBD16(Z4, Z8, Z12, Z0)
	VMOVUPS Z8, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     lb16

lbtail:
	TESTQ     CX, CX
	JZ        lbsum
	TAILMASK
	VMOVUPS.Z (SI), K1, Z4 // masked-off lanes: x = dy = z = 0 adds 0
	VMOVUPS.Z (DX), K1, Z8
	VMOVUPS.Z (R8), K1, Z12
	LRBD16(Z4, Z8, Z12, Z1)
	VMOVUPS   Z8, K1, (DI)

lbsum:
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	HSUM16
	VMOVSS X0, ret+104(FP)
	VZEROUPPER
	RET

// SILU16: from X = x and S = s, D1 = s + x·u and D2 = u·(x·(1−2s) + 2)
// with u = s − s·s in U. Z29 = 1, Z28 = 2, Z27 = −2.
#define SILU16(X, S, D1, D2, U) \
	VMOVAPS      S, U;          \
	VFNMADD231PS S, S, U;       \
	VMOVAPS      S, D1;         \
	VFMADD231PS  U, X, D1;      \
	VMOVAPS      Z29, D2;       \
	VFMADD231PS  S, Z27, D2;    \
	VFMADD213PS  Z28, X, D2;    \
	VMULPS       U, D2, D2

// func ssiluDerivsAVX512(d1, d2, x, s, dy []float32)
TEXT ·ssiluDerivsAVX512(SB), NOSPLIT, $0-120
	MOVQ         d1_base+0(FP), DI
	MOVQ         d2_base+24(FP), R9
	MOVQ         d2_len+32(FP), R10
	MOVQ         x_base+48(FP), SI
	MOVQ         x_len+56(FP), CX
	MOVQ         s_base+72(FP), DX
	MOVQ         dy_base+96(FP), R8
	MOVQ         dy_len+104(FP), R11
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z29
	MOVL         $0x40000000, AX
	VPBROADCASTD AX, Z28
	MOVL         $0xc0000000, AX
	VPBROADCASTD AX, Z27

silu16:
	CMPQ    CX, $16
	JL      silutail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	SILU16(Z0, Z1, Z2, Z3, Z4)
	TESTQ   R10, R10
	JZ      silunod2
	VMOVUPS Z3, (R9)
	ADDQ    $64, R9

silunod2:
	TESTQ   R11, R11
	JZ      silunody
	VMULPS  (R8), Z2, Z2
	ADDQ    $64, R8

silunody:
	VMOVUPS Z2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     silu16

silutail:
	TESTQ     CX, CX
	JZ        siludone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	SILU16(Z0, Z1, Z2, Z3, Z4)
	TESTQ     R10, R10
	JZ        silutailnod2
	VMOVUPS   Z3, K1, (R9)

silutailnod2:
	TESTQ     R11, R11
	JZ        silutailnody
	VMOVUPS.Z (R8), K1, Z5
	VMULPS    Z5, Z2, Z2

silutailnody:
	VMOVUPS Z2, K1, (DI)

siludone:
	VZEROUPPER
	RET

// QUAD16: from Y = y, D1 = (a·y + b)·y + c and D2 = D1·(p·y + q), with
// Z20..Z24 = a, b, c, p, q.
#define QUAD16(Y, D1, D2) \
	VMOVAPS     Z21, D2;    \
	VFMADD231PS Y, Z20, D2; \
	VMOVAPS     Z22, D1;    \
	VFMADD231PS Y, D2, D1;  \
	VMOVAPS     Z24, D2;    \
	VFMADD231PS Y, Z23, D2; \
	VMULPS      D1, D2, D2

// func squadDerivsAVX512(d1, d2, y, dy []float32, a, b, c, p, q float32)
TEXT ·squadDerivsAVX512(SB), NOSPLIT, $0-116
	MOVQ         d1_base+0(FP), DI
	MOVQ         d2_base+24(FP), R9
	MOVQ         d2_len+32(FP), R10
	MOVQ         y_base+48(FP), SI
	MOVQ         y_len+56(FP), CX
	MOVQ         dy_base+72(FP), R8
	MOVQ         dy_len+80(FP), R11
	VBROADCASTSS a+96(FP), Z20
	VBROADCASTSS b+100(FP), Z21
	VBROADCASTSS c+104(FP), Z22
	VBROADCASTSS p+108(FP), Z23
	VBROADCASTSS q+112(FP), Z24

quad16:
	CMPQ    CX, $16
	JL      quadtail
	VMOVUPS (SI), Z0
	QUAD16(Z0, Z2, Z3)
	TESTQ   R10, R10
	JZ      quadnod2
	VMOVUPS Z3, (R9)
	ADDQ    $64, R9

quadnod2:
	TESTQ   R11, R11
	JZ      quadnody
	VMULPS  (R8), Z2, Z2
	ADDQ    $64, R8

quadnody:
	VMOVUPS Z2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     quad16

quadtail:
	TESTQ     CX, CX
	JZ        quaddone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	QUAD16(Z0, Z2, Z3)
	TESTQ     R10, R10
	JZ        quadtailnod2
	VMOVUPS   Z3, K1, (R9)

quadtailnod2:
	TESTQ     R11, R11
	JZ        quadtailnody
	VMOVUPS.Z (R8), K1, Z5
	VMULPS    Z5, Z2, Z2

quadtailnody:
	VMOVUPS Z2, K1, (DI)

quaddone:
	VZEROUPPER
	RET
