//go:build amd64 && !noasm

#include "textflag.h"

// Activation kernels for the avx512 tier (AVX-512 F and DQ). Each kernel
// runs the algorithm of its pure-Go twin in activation_generic.go, 16 lanes
// at a time; the tail uses an opmask (K1) so no lane past the end is read or
// written. The loops handle one zmm per iteration: the work per vector is
// long and the iterations are independent, so out-of-order execution
// overlaps them without unrolling.

// BCAST broadcasts a float32 given by its bits into every lane of Z.
#define BCAST(bits, Z) MOVL $bits, AX; VPBROADCASTD AX, Z

// EXP_CONSTS loads the constants of EXP16 into Z21–Z31.
#define EXP_CONSTS \
	BCAST(0xc2d00000, Z31); \
	BCAST(0x42b20000, Z30); \
	BCAST(0x3fb8aa3b, Z29); \
	BCAST(0x3f317218, Z28); \
	BCAST(0xb102e308, Z27); \
	BCAST(0x3ab5737b, Z26); \
	BCAST(0x3c0933e0, Z25); \
	BCAST(0x3d2aac12, Z24); \
	BCAST(0x3e2aaa0c, Z23); \
	BCAST(0x3efffffe, Z22); \
	BCAST(0x3f800000, Z21)    // 1

// EXP16 replaces X by exp(X) (exp32 in activation_generic.go), using N and
// R as scratch. The clamp keeps NaN: VMAXPS/VMINPS return their second
// source (X here) when either operand is NaN. VSCALEFPS rounds p·2^n once,
// with overflow to +Inf and gradual underflow, as the twin's two-step
// scaling does.
#define EXP16(X, N, R) \
	VMAXPS       X, Z31, X; \
	VMINPS       X, Z30, X; \
	VMULPS       Z29, X, N; \
	VRNDSCALEPS  $0, N, N;  \
	VFNMADD231PS Z28, N, X; \
	VFNMADD231PS Z27, N, X; \
	VMOVAPS      Z26, R;    \
	VFMADD213PS  Z25, X, R; \
	VFMADD213PS  Z24, X, R; \
	VFMADD213PS  Z23, X, R; \
	VFMADD213PS  Z22, X, R; \
	VFMADD213PS  Z21, X, R; \
	VFMADD213PS  Z21, X, R; \
	VSCALEFPS    N, R, X

// TAILMASK sets K1 to the low CX bits (0 < CX < 16).
#define TAILMASK \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX;     \
	KMOVW AX, K1

// UNARY is the loop of a kernel dst[i] = f(x[i]): BODY maps Z0 to Z0.
#define UNARY(BODY) \
	MOVQ dst_base+0(FP), DI; \
	MOVQ x_base+24(FP), SI;  \
	MOVQ x_len+32(FP), CX;   \
loop:                        \
	CMPQ    CX, $16;         \
	JL      tail;            \
	VMOVUPS (SI), Z0;        \
	BODY;                    \
	VMOVUPS Z0, (DI);        \
	ADDQ    $64, SI;         \
	ADDQ    $64, DI;         \
	SUBQ    $16, CX;         \
	JMP     loop;            \
tail:                        \
	TESTQ     CX, CX;        \
	JZ        done;          \
	TAILMASK;                \
	VMOVUPS.Z (SI), K1, Z0;  \
	BODY;                    \
	VMOVUPS   Z0, K1, (DI);  \
done:                        \
	VZEROUPPER;              \
	RET

// func sexpAVX512(dst, x []float32)
TEXT ·sexpAVX512(SB), NOSPLIT, $0-48
	EXP_CONSTS
	UNARY(EXP16(Z0, Z1, Z2))

// SIGMOID16: Z0 = 1/(1+exp(−Z0)). Z20 holds the sign bit.
#define SIGMOID16 \
	VXORPS Z20, Z0, Z1;     \
	EXP16(Z1, Z2, Z3);      \
	VADDPS Z21, Z1, Z1;     \
	VDIVPS Z1, Z21, Z0

// func ssigmoidAVX512(dst, x []float32)
TEXT ·ssigmoidAVX512(SB), NOSPLIT, $0-48
	EXP_CONSTS
	BCAST(0x80000000, Z20)
	UNARY(SIGMOID16)

// SILU16: Z0 = max(Z0, −MaxFloat32)/(1+exp(−Z0)). Z19 holds −MaxFloat32.
#define SILU16 \
	VXORPS Z20, Z0, Z1;     \
	EXP16(Z1, Z2, Z3);      \
	VADDPS Z21, Z1, Z1;     \
	VMAXPS Z0, Z19, Z0;     \
	VDIVPS Z1, Z0, Z0

// func ssiluAVX512(dst, x []float32)
TEXT ·ssiluAVX512(SB), NOSPLIT, $0-48
	EXP_CONSTS
	BCAST(0x80000000, Z20)
	BCAST(0xff7fffff, Z19)
	UNARY(SILU16)

// SOFTPLUS16: Z0 = max(Z0, 0) + log1p(exp(−|Z0|)), log1p as log1p01:
// u = exp(−|x|), s = u/(2+u), t = u − u·s, y = t², log1p(u) = t + t·y·R(y).
// Z19 = 2, Z14 = 0, Z15–Z18 = log1pR0–R3.
#define SOFTPLUS16 \
	VORPS       Z20, Z0, Z1; \
	EXP16(Z1, Z2, Z3);       \
	VADDPS       Z19, Z1, Z2; \
	VDIVPS       Z2, Z1, Z2;  \
	VFNMADD231PS Z2, Z1, Z1;  \
	VMULPS      Z1, Z1, Z2;  \
	VMOVAPS     Z18, Z3;     \
	VFMADD213PS Z17, Z2, Z3; \
	VFMADD213PS Z16, Z2, Z3; \
	VFMADD213PS Z15, Z2, Z3; \
	VMULPS      Z2, Z1, Z2;  \
	VFMADD231PS Z3, Z2, Z1;  \
	VMAXPS      Z0, Z14, Z0; \
	VADDPS      Z1, Z0, Z0

// func ssoftplusAVX512(dst, x []float32)
TEXT ·ssoftplusAVX512(SB), NOSPLIT, $0-48
	EXP_CONSTS
	BCAST(0x80000000, Z20)
	BCAST(0x40000000, Z19)
	BCAST(0x3a0f6be2, Z18)
	BCAST(0x3b0f5e86, Z17)
	BCAST(0x3c4ce904, Z16)
	BCAST(0x3daaaa81, Z15)
	VPXORD Z14, Z14, Z14
	UNARY(SOFTPLUS16)

// TANH16: Z0 = sign(Z0)·tanhAbs(|Z0|). Both branches of tanhAbs are
// computed and merged under K2 = |x| < tanhSmall. Z19 = 2, Z18 = tanhSmall,
// Z11–Z17 = tanhP0–P6.
#define TANH16 \
	VANDNPS     Z0, Z20, Z1;     \
	VMULPS      Z1, Z1, Z2;      \
	VMOVAPS     Z17, Z3;         \
	VFMADD213PS Z16, Z2, Z3;     \
	VFMADD213PS Z15, Z2, Z3;     \
	VFMADD213PS Z14, Z2, Z3;     \
	VFMADD213PS Z13, Z2, Z3;     \
	VFMADD213PS Z12, Z2, Z3;     \
	VFMADD213PS Z11, Z2, Z3;     \
	VMULPS      Z2, Z1, Z2;      \
	VFMADD213PS Z1, Z2, Z3;      \
	VADDPS      Z1, Z1, Z4;      \
	EXP16(Z4, Z5, Z6);           \
	VADDPS      Z21, Z4, Z4;     \
	VDIVPS      Z4, Z19, Z4;     \
	VSUBPS      Z4, Z21, Z4;     \
	VCMPPS      $0x11, Z18, Z1, K2; \
	VMOVAPS     Z3, K2, Z4;      \
	VANDPS      Z20, Z0, Z0;     \
	VORPS       Z4, Z0, Z0

// func stanhAVX512(dst, x []float32)
TEXT ·stanhAVX512(SB), NOSPLIT, $0-48
	EXP_CONSTS
	BCAST(0x80000000, Z20)
	BCAST(0x40000000, Z19)
	BCAST(0x3f666666, Z18)
	BCAST(0xb9eecacd, Z17)
	BCAST(0x3b2941fa, Z16)
	BCAST(0xbc076802, Z15)
	BCAST(0x3cb177be, Z14)
	BCAST(0xbd5ce4f9, Z13)
	BCAST(0x3e08879a, Z12)
	BCAST(0xbeaaaaa7, Z11)
	UNARY(TANH16)

// LRELU16 applies leaky ReLU to V in place: lanes with !(x > 0) (NGT_UQ,
// so NaN too) are multiplied by the slope in Z31; Z30 = 0.
#define LRELU16(V) \
	VCMPPS $0x1a, Z30, V, K2; \
	VMULPS Z31, V, K2, V

// func sleakyReLUAVX512(dst, x []float32, slope float32)
TEXT ·sleakyReLUAVX512(SB), NOSPLIT, $0-52
	VBROADCASTSS slope+48(FP), Z31
	VPXORD       Z30, Z30, Z30
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX

lrelu64:
	CMPQ    CX, $64
	JL      lrelu16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	LRELU16(Z0)
	LRELU16(Z1)
	LRELU16(Z2)
	LRELU16(Z3)
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ    $256, SI
	ADDQ    $256, DI
	SUBQ    $64, CX
	JMP     lrelu64

lrelu16:
	CMPQ    CX, $16
	JL      lrelutail
	VMOVUPS (SI), Z0
	LRELU16(Z0)
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     lrelu16

lrelutail:
	TESTQ     CX, CX
	JZ        lreludone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	LRELU16(Z0)
	VMOVUPS   Z0, K1, (DI)

lreludone:
	VZEROUPPER
	RET

// LRELUB16 is one vector of the backward pass: V = x, D = dy (replaced by
// dx), ACC += dy·x over lanes with !(x > 0). Z31 = slope, Z30 = 0.
#define LRELUB16(V, D, ACC) \
	VCMPPS      $0x1a, Z30, V, K2; \
	VFMADD231PS V, D, K2, ACC;     \
	VMULPS      Z31, D, K2, D

// func sleakyReLUBackwardAVX512(dx, x, dy []float32, slope float32) float32
TEXT ·sleakyReLUBackwardAVX512(SB), NOSPLIT, $0-84
	VBROADCASTSS slope+72(FP), Z31
	VPXORD       Z30, Z30, Z30
	VPXORD       Z8, Z8, Z8
	VPXORD       Z9, Z9, Z9
	VPXORD       Z10, Z10, Z10
	VPXORD       Z11, Z11, Z11
	MOVQ         dx_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         dy_base+48(FP), DX

lrb64:
	CMPQ    CX, $64
	JL      lrb16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMOVUPS (DX), Z4
	VMOVUPS 64(DX), Z5
	VMOVUPS 128(DX), Z6
	VMOVUPS 192(DX), Z7
	LRELUB16(Z0, Z4, Z8)
	LRELUB16(Z1, Z5, Z9)
	LRELUB16(Z2, Z6, Z10)
	LRELUB16(Z3, Z7, Z11)
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	VMOVUPS Z6, 128(DI)
	VMOVUPS Z7, 192(DI)
	ADDQ    $256, SI
	ADDQ    $256, DX
	ADDQ    $256, DI
	SUBQ    $64, CX
	JMP     lrb64

lrb16:
	CMPQ    CX, $16
	JL      lrbtail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z4
	LRELUB16(Z0, Z4, Z8)
	VMOVUPS Z4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     lrb16

lrbtail:
	TESTQ     CX, CX
	JZ        lrbsum
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0 // masked-off lanes: x = dy = 0 adds 0
	VMOVUPS.Z (DX), K1, Z4
	LRELUB16(Z0, Z4, Z8)
	VMOVUPS   Z4, K1, (DI)

lrbsum:
	VADDPS        Z9, Z8, Z8
	VADDPS        Z11, Z10, Z10
	VADDPS        Z10, Z8, Z8
	VEXTRACTF64X4 $1, Z8, Y9
	VADDPS        Y9, Y8, Y8
	VEXTRACTF128  $1, Y8, X9
	VADDPS        X9, X8, X8
	VHADDPS       X8, X8, X8
	VHADDPS       X8, X8, X8
	VMOVSS        X8, ret+80(FP)
	VZEROUPPER
	RET
