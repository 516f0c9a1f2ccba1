//go:build amd64 && !noasm

#include "textflag.h"

// Fused element-wise kernels (fused.go) for the avx2 tier: 8 lanes per
// step, the tail of 1–7 elements under VMASKMOVPS (masked-off lanes load as
// zero, and masked-off memory is not touched). The reductions keep 2
// accumulators in their 16-lane loop. The derivative kernels test their
// optional operands once per vector (always the same way: well predicted).

// iota<> holds the lane indices 0..7, for building tail masks.
DATA iota<>+0(SB)/4, $0
DATA iota<>+4(SB)/4, $1
DATA iota<>+8(SB)/4, $2
DATA iota<>+12(SB)/4, $3
DATA iota<>+16(SB)/4, $4
DATA iota<>+20(SB)/4, $5
DATA iota<>+24(SB)/4, $6
DATA iota<>+28(SB)/4, $7
GLOBL iota<>(SB), RODATA|NOPTR, $32

// TAILMASK sets Y12 to all-ones in the low CX lanes (0 < CX < 8).
#define TAILMASK \
	VMOVD        CX, X12;  \
	VPBROADCASTD X12, Y12; \
	VPCMPGTD     iota<>(SB), Y12, Y12

// HSUM8 sums the lanes of Y0 into X0 (clobbers Y1).
#define HSUM8 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VHADDPS      X0, X0, X0; \
	VHADDPS      X0, X0, X0

// func sfmaAVX2(dst, a, b, c []float32)
TEXT ·sfmaAVX2(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ c_base+72(FP), R8

fma32:
	CMPQ        CX, $32
	JL          fma8
	VMOVUPS     (SI), Y0
	VMOVUPS     32(SI), Y1
	VMOVUPS     64(SI), Y2
	VMOVUPS     96(SI), Y3
	VMOVUPS     (DX), Y4
	VMOVUPS     32(DX), Y5
	VMOVUPS     64(DX), Y6
	VMOVUPS     96(DX), Y7
	VFMADD213PS (R8), Y4, Y0
	VFMADD213PS 32(R8), Y5, Y1
	VFMADD213PS 64(R8), Y6, Y2
	VFMADD213PS 96(R8), Y7, Y3
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 32(DI)
	VMOVUPS     Y2, 64(DI)
	VMOVUPS     Y3, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DX
	ADDQ        $128, R8
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         fma32

fma8:
	CMPQ        CX, $8
	JL          fmatail
	VMOVUPS     (SI), Y0
	VMOVUPS     (DX), Y4
	VFMADD213PS (R8), Y4, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         fma8

fmatail:
	TESTQ       CX, CX
	JZ          fmadone
	TAILMASK
	VMASKMOVPS  (SI), Y12, Y0
	VMASKMOVPS  (DX), Y12, Y4
	VMASKMOVPS  (R8), Y12, Y8
	VFMADD213PS Y8, Y4, Y0
	VMASKMOVPS  Y0, Y12, (DI)

fmadone:
	VZEROUPPER
	RET

// MDOT8: ACC += A·B in the lanes where !(X > 0) (the product is masked
// after the multiply, so NaN x counts and Inf·0 never arises from the mask).
// Y14 = 0; M and P are scratch.
#define MDOT8(X, A, B, ACC, M, P) \
	VCMPPS  $0x1e, Y14, X, M; \
	VMULPS  B, A, P;          \
	VANDNPS P, M, P;          \
	VADDPS  P, ACC, ACC

// func smaskedDotAVX2(x, a, b []float32) float32
TEXT ·smaskedDotAVX2(SB), NOSPLIT, $0-76
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   a_base+24(FP), DX
	MOVQ   b_base+48(FP), R8
	VXORPS Y14, Y14, Y14
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1

md16:
	CMPQ    CX, $16
	JL      md8
	VMOVUPS (SI), Y2
	VMOVUPS 32(SI), Y3
	VMOVUPS (DX), Y4
	VMOVUPS 32(DX), Y5
	VMOVUPS (R8), Y6
	VMOVUPS 32(R8), Y7
	MDOT8(Y2, Y4, Y6, Y0, Y8, Y9)
	MDOT8(Y3, Y5, Y7, Y1, Y10, Y11)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	SUBQ    $16, CX
	JMP     md16

md8:
	CMPQ    CX, $8
	JL      mdtail
	VMOVUPS (SI), Y2
	VMOVUPS (DX), Y4
	VMOVUPS (R8), Y6
	MDOT8(Y2, Y4, Y6, Y0, Y8, Y9)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     md8

mdtail:
	TESTQ      CX, CX
	JZ         mdsum
	TAILMASK
	VMASKMOVPS (SI), Y12, Y2 // masked-off lanes: x = a = b = 0 adds 0
	VMASKMOVPS (DX), Y12, Y4
	VMASKMOVPS (R8), Y12, Y6
	MDOT8(Y2, Y4, Y6, Y1, Y8, Y9)

mdsum:
	VADDPS Y1, Y0, Y0
	HSUM8
	VMOVSS X0, ret+72(FP)
	VZEROUPPER
	RET

// LRBD8: with X = x, D = dy (replaced by dx), Z = z: ACC += dy·z and
// dx = slope·dy in the lanes where !(x > 0). Y15 = slope, Y14 = 0; M and
// P are scratch.
#define LRBD8(X, D, Z, ACC, M, P) \
	VCMPPS    $0x1e, Y14, X, M; \
	VMULPS    Z, D, P;          \
	VANDNPS   P, M, P;          \
	VADDPS    P, ACC, ACC;      \
	VMULPS    Y15, D, P;        \
	VBLENDVPS M, D, P, D

// func sleakyReLUBackwardDotAVX2(dx, x, dy, z []float32, slope float32) float32
TEXT ·sleakyReLUBackwardDotAVX2(SB), NOSPLIT, $0-108
	MOVQ         dx_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         dy_base+48(FP), DX
	MOVQ         z_base+72(FP), R8
	VBROADCASTSS slope+96(FP), Y15
	VXORPS       Y14, Y14, Y14
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1

lb16:
	CMPQ    CX, $16
	JL      lb8
	VMOVUPS (SI), Y2
	VMOVUPS 32(SI), Y3
	VMOVUPS (DX), Y4
	VMOVUPS 32(DX), Y5
	VMOVUPS (R8), Y6
	VMOVUPS 32(R8), Y7
	LRBD8(Y2, Y4, Y6, Y0, Y8, Y9)
	LRBD8(Y3, Y5, Y7, Y1, Y10, Y11)
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     lb16

lb8:
	CMPQ    CX, $8
	JL      lbtail
	VMOVUPS (SI), Y2
	VMOVUPS (DX), Y4
	VMOVUPS (R8), Y6
	LRBD8(Y2, Y4, Y6, Y0, Y8, Y9)
	VMOVUPS Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     lb8

lbtail:
	TESTQ      CX, CX
	JZ         lbsum
	TAILMASK
	VMASKMOVPS (SI), Y12, Y2 // masked-off lanes: x = dy = z = 0 adds 0
	VMASKMOVPS (DX), Y12, Y4
	VMASKMOVPS (R8), Y12, Y6
	LRBD8(Y2, Y4, Y6, Y1, Y8, Y9)
	VMASKMOVPS Y4, Y12, (DI)

lbsum:
	VADDPS Y1, Y0, Y0
	HSUM8
	VMOVSS X0, ret+104(FP)
	VZEROUPPER
	RET

// SILU8: from X = x and S = s, D1 = s + x·u and D2 = u·(x·(1−2s) + 2)
// with u = s − s·s in U. Y13 = 1, Y14 = 2, Y15 = −2.
#define SILU8(X, S, D1, D2, U) \
	VMOVAPS      S, U;       \
	VFNMADD231PS S, S, U;    \
	VMOVAPS      S, D1;      \
	VFMADD231PS  U, X, D1;   \
	VMOVAPS      Y13, D2;    \
	VFMADD231PS  S, Y15, D2; \
	VFMADD213PS  Y14, X, D2; \
	VMULPS       U, D2, D2

// func ssiluDerivsAVX2(d1, d2, x, s, dy []float32)
TEXT ·ssiluDerivsAVX2(SB), NOSPLIT, $0-120
	MOVQ         d1_base+0(FP), DI
	MOVQ         d2_base+24(FP), R9
	MOVQ         d2_len+32(FP), R10
	MOVQ         x_base+48(FP), SI
	MOVQ         x_len+56(FP), CX
	MOVQ         s_base+72(FP), DX
	MOVQ         dy_base+96(FP), R8
	MOVQ         dy_len+104(FP), R11
	MOVL         $0x3f800000, AX
	VMOVD        AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x40000000, AX
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $0xc0000000, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15

silu8:
	CMPQ    CX, $8
	JL      silutail
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	SILU8(Y0, Y1, Y2, Y3, Y4)
	TESTQ   R10, R10
	JZ      silunod2
	VMOVUPS Y3, (R9)
	ADDQ    $32, R9

silunod2:
	TESTQ   R11, R11
	JZ      silunody
	VMULPS  (R8), Y2, Y2
	ADDQ    $32, R8

silunody:
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     silu8

silutail:
	TESTQ      CX, CX
	JZ         siludone
	TAILMASK
	VMASKMOVPS (SI), Y12, Y0
	VMASKMOVPS (DX), Y12, Y1
	SILU8(Y0, Y1, Y2, Y3, Y4)
	TESTQ      R10, R10
	JZ         silutailnod2
	VMASKMOVPS Y3, Y12, (R9)

silutailnod2:
	TESTQ      R11, R11
	JZ         silutailnody
	VMASKMOVPS (R8), Y12, Y5
	VMULPS     Y5, Y2, Y2

silutailnody:
	VMASKMOVPS Y2, Y12, (DI)

siludone:
	VZEROUPPER
	RET

// QUAD8: from Y = y, D1 = (a·y + b)·y + c and D2 = D1·(p·y + q), with
// Y7..Y11 = a, b, c, p, q.
#define QUAD8(Y, D1, D2) \
	VMOVAPS     Y8, D2;    \
	VFMADD231PS Y, Y7, D2; \
	VMOVAPS     Y9, D1;    \
	VFMADD231PS Y, D2, D1; \
	VMOVAPS     Y11, D2;   \
	VFMADD231PS Y, Y10, D2; \
	VMULPS      D1, D2, D2

// func squadDerivsAVX2(d1, d2, y, dy []float32, a, b, c, p, q float32)
TEXT ·squadDerivsAVX2(SB), NOSPLIT, $0-116
	MOVQ         d1_base+0(FP), DI
	MOVQ         d2_base+24(FP), R9
	MOVQ         d2_len+32(FP), R10
	MOVQ         y_base+48(FP), SI
	MOVQ         y_len+56(FP), CX
	MOVQ         dy_base+72(FP), R8
	MOVQ         dy_len+80(FP), R11
	VBROADCASTSS a+96(FP), Y7
	VBROADCASTSS b+100(FP), Y8
	VBROADCASTSS c+104(FP), Y9
	VBROADCASTSS p+108(FP), Y10
	VBROADCASTSS q+112(FP), Y11

quad8:
	CMPQ    CX, $8
	JL      quadtail
	VMOVUPS (SI), Y0
	QUAD8(Y0, Y2, Y3)
	TESTQ   R10, R10
	JZ      quadnod2
	VMOVUPS Y3, (R9)
	ADDQ    $32, R9

quadnod2:
	TESTQ   R11, R11
	JZ      quadnody
	VMULPS  (R8), Y2, Y2
	ADDQ    $32, R8

quadnody:
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     quad8

quadtail:
	TESTQ      CX, CX
	JZ         quaddone
	TAILMASK
	VMASKMOVPS (SI), Y12, Y0
	QUAD8(Y0, Y2, Y3)
	TESTQ      R10, R10
	JZ         quadtailnod2
	VMASKMOVPS Y3, Y12, (R9)

quadtailnod2:
	TESTQ      R11, R11
	JZ         quadtailnody
	VMASKMOVPS (R8), Y12, Y5
	VMULPS     Y5, Y2, Y2

quadtailnody:
	VMASKMOVPS Y2, Y12, (DI)

quaddone:
	VZEROUPPER
	RET
