//go:build amd64 && !noasm

#include "textflag.h"

// Adam update (Sadam) for the avx512 tier: 2 zmm registers (32 float32) per
// iteration, then one, then an opmask tail (masked-off lanes load as zero,
// compute harmlessly and are never stored). K3 enables the weight-decay FMA
// on every lane when wd ≠ 0 and on none otherwise, so that wd = 0 adds
// nothing even to an infinite w, as in the twin.

// ADAM16 updates one vector: W, G, M, V hold w, g, m, v on entry and the new
// w, (scratch), m, v on exit; T is scratch. Z20..Z28 hold the coefficients.
#define ADAM16(W, G, M, V, T) \
	VMULPS      Z28, W, W;     \
	VFMADD231PS W, Z27, K3, G; \
	VMULPS      Z20, M, M;     \
	VFMADD231PS G, Z21, M;     \
	VMULPS      Z22, V, V;     \
	VMULPS      Z23, G, T;     \
	VFMADD231PS T, G, V;       \
	VSQRTPS     V, T;          \
	VFMADD213PS Z26, Z25, T;   \
	VMULPS      Z24, M, G;     \
	VDIVPS      T, G, G;       \
	VSUBPS      G, W, W

// func sadamAVX512(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32)
TEXT ·sadamAVX512(SB), NOSPLIT, $0-132
	MOVQ         w_base+0(FP), DI
	MOVQ         w_len+8(FP), CX
	MOVQ         g_base+24(FP), SI
	MOVQ         m_base+48(FP), R8
	MOVQ         v_base+72(FP), R9
	VBROADCASTSS b1+96(FP), Z20
	VBROADCASTSS c1+100(FP), Z21
	VBROADCASTSS b2+104(FP), Z22
	VBROADCASTSS c2+108(FP), Z23
	VBROADCASTSS stepSize+112(FP), Z24
	VBROADCASTSS invBc2+116(FP), Z25
	VBROADCASTSS eps+120(FP), Z26
	VBROADCASTSS wd+124(FP), Z27
	VBROADCASTSS decay+128(FP), Z28

	// K3 = wd ≠ 0 (−0 counts as zero, NaN as nonzero) ? all lanes : none.
	MOVL  wd+124(FP), AX
	ANDL  $0x7fffffff, AX
	XORL  BX, BX
	MOVL  $0xffff, DX
	TESTL AX, AX
	CMOVLNE DX, BX
	KMOVW BX, K3

loop32:
	CMPQ    CX, $32
	JL      loop16
	VMOVUPS (DI), Z0
	VMOVUPS (SI), Z1
	VMOVUPS (R8), Z2
	VMOVUPS (R9), Z3
	VMOVUPS 64(DI), Z5
	VMOVUPS 64(SI), Z6
	VMOVUPS 64(R8), Z7
	VMOVUPS 64(R9), Z8
	ADAM16(Z0, Z1, Z2, Z3, Z4)
	ADAM16(Z5, Z6, Z7, Z8, Z9)
	VMOVUPS Z0, (DI)
	VMOVUPS Z2, (R8)
	VMOVUPS Z3, (R9)
	VMOVUPS Z5, 64(DI)
	VMOVUPS Z7, 64(R8)
	VMOVUPS Z8, 64(R9)
	ADDQ    $128, DI
	ADDQ    $128, SI
	ADDQ    $128, R8
	ADDQ    $128, R9
	SUBQ    $32, CX
	JMP     loop32

loop16:
	CMPQ    CX, $16
	JL      tail
	VMOVUPS (DI), Z0
	VMOVUPS (SI), Z1
	VMOVUPS (R8), Z2
	VMOVUPS (R9), Z3
	ADAM16(Z0, Z1, Z2, Z3, Z4)
	VMOVUPS Z0, (DI)
	VMOVUPS Z2, (R8)
	VMOVUPS Z3, (R9)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, R8
	ADDQ    $64, R9
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ     CX, CX
	JZ        done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (R8), K1, Z2
	VMOVUPS.Z (R9), K1, Z3
	ADAM16(Z0, Z1, Z2, Z3, Z4)
	VMOVUPS   Z0, K1, (DI)
	VMOVUPS   Z2, K1, (R8)
	VMOVUPS   Z3, K1, (R9)

done:
	VZEROUPPER
	RET
