//go:build amd64 && !noasm

#include "textflag.h"

// Adam update (Sadam) for the avx2 tier: one ymm register (8 float32) per
// iteration, then the same operations on single elements (VMOVSS loads
// clear the upper lanes, which compute harmlessly and are never stored).
// Y5 is all ones when wd ≠ 0 and all zeros otherwise; it selects the
// weight-decay FMA, so that wd = 0 adds nothing even to an infinite w.

// ADAM8Y updates one vector: Y0..Y3 hold w, g, m, v on entry and
// the new w, (scratch), m, v on exit; Y4 and Y6 are scratch. Y7..Y15 hold
// the coefficients, Y5 the weight-decay select.
#define ADAM8Y \
	VMULPS      Y15, Y0, Y0;           \
	VMOVAPS     Y1, Y6;                \
	VFMADD231PS Y0, Y14, Y6;           \
	VBLENDVPS   Y5, Y6, Y1, Y1;        \
	VMULPS      Y7, Y2, Y2;            \
	VFMADD231PS Y1, Y8, Y2;            \
	VMULPS      Y9, Y3, Y3;            \
	VMULPS      Y10, Y1, Y4;           \
	VFMADD231PS Y4, Y1, Y3;            \
	VSQRTPS     Y3, Y4;                \
	VFMADD213PS Y13, Y12, Y4;          \
	VMULPS      Y11, Y2, Y1;           \
	VDIVPS      Y4, Y1, Y1;            \
	VSUBPS      Y1, Y0, Y0

// ADAM8X is ADAM8Y on the low 128 bits.
#define ADAM8X \
	VMULPS      X15, X0, X0;           \
	VMOVAPS     X1, X6;                \
	VFMADD231PS X0, X14, X6;           \
	VBLENDVPS   X5, X6, X1, X1;        \
	VMULPS      X7, X2, X2;            \
	VFMADD231PS X1, X8, X2;            \
	VMULPS      X9, X3, X3;            \
	VMULPS      X10, X1, X4;           \
	VFMADD231PS X4, X1, X3;            \
	VSQRTPS     X3, X4;                \
	VFMADD213PS X13, X12, X4;          \
	VMULPS      X11, X2, X1;           \
	VDIVPS      X4, X1, X1;            \
	VSUBPS      X1, X0, X0

// func sadamAVX2(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32)
TEXT ·sadamAVX2(SB), NOSPLIT, $0-132
	MOVQ         w_base+0(FP), DI
	MOVQ         w_len+8(FP), CX
	MOVQ         g_base+24(FP), SI
	MOVQ         m_base+48(FP), R8
	MOVQ         v_base+72(FP), R9
	VBROADCASTSS b1+96(FP), Y7
	VBROADCASTSS c1+100(FP), Y8
	VBROADCASTSS b2+104(FP), Y9
	VBROADCASTSS c2+108(FP), Y10
	VBROADCASTSS stepSize+112(FP), Y11
	VBROADCASTSS invBc2+116(FP), Y12
	VBROADCASTSS eps+120(FP), Y13
	VBROADCASTSS wd+124(FP), Y14
	VBROADCASTSS decay+128(FP), Y15

	// Y5 = wd ≠ 0 (−0 counts as zero, NaN as nonzero) ? all ones : 0.
	MOVL    wd+124(FP), AX
	ANDL    $0x7fffffff, AX
	XORL    BX, BX
	MOVL    $-1, DX
	TESTL   AX, AX
	CMOVLNE DX, BX
	MOVL    BX, X5
	VPBROADCASTD X5, Y5

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (R8), Y2
	VMOVUPS (R9), Y3
	ADAM8Y
	VMOVUPS Y0, (DI)
	VMOVUPS Y2, (R8)
	VMOVUPS Y3, (R9)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (DI), X0
	VMOVSS (SI), X1
	VMOVSS (R8), X2
	VMOVSS (R9), X3
	ADAM8X
	VMOVSS X0, (DI)
	VMOVSS X2, (R8)
	VMOVSS X3, (R9)
	ADDQ   $4, DI
	ADDQ   $4, SI
	ADDQ   $4, R8
	ADDQ   $4, R9
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET
