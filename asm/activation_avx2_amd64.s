//go:build amd64 && !noasm

#include "textflag.h"

// Activation kernels for the avx2 tier (AVX, AVX2, FMA3). Each kernel runs
// the algorithm of its pure-Go twin in activation_generic.go, 8 lanes at a
// time; the tail of 1–7 elements uses VMASKMOVPS (which does not touch
// masked-off memory). Constants live in 32-byte tables used as memory
// operands, except the clamp bounds of EXP8, which must be the first
// source of VMAXPS/VMINPS so that NaN survives.

#define CONST8(name, v) \
	DATA name<>+0(SB)/4, $v;  \
	DATA name<>+4(SB)/4, $v;  \
	DATA name<>+8(SB)/4, $v;  \
	DATA name<>+12(SB)/4, $v; \
	DATA name<>+16(SB)/4, $v; \
	DATA name<>+20(SB)/4, $v; \
	DATA name<>+24(SB)/4, $v; \
	DATA name<>+28(SB)/4, $v; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

CONST8(explo, 0xc2d00000)    // expLo = -104
CONST8(exphi, 0x42b20000)    // expHi = 89
CONST8(log2e, 0x3fb8aa3b)
CONST8(ln2hi, 0x3f317218)
CONST8(ln2lo, 0xb102e308)
CONST8(expc6, 0x3ab5737b)
CONST8(expc5, 0x3c0933e0)
CONST8(expc4, 0x3d2aac12)
CONST8(expc3, 0x3e2aaa0c)
CONST8(expc2, 0x3efffffe)
CONST8(one, 0x3f800000)
CONST8(two, 0x40000000)
CONST8(bias, 0x3f800000)     // 127<<23
CONST8(sign, 0x80000000)
CONST8(negmax, 0xff7fffff)   // -MaxFloat32
CONST8(l1pr3, 0x3a0f6be2)
CONST8(l1pr2, 0x3b0f5e86)
CONST8(l1pr1, 0x3c4ce904)
CONST8(l1pr0, 0x3daaaa81)
CONST8(tsmall, 0x3f666666)   // tanhSmall
CONST8(tp6, 0xb9eecacd)
CONST8(tp5, 0x3b2941fa)
CONST8(tp4, 0xbc076802)
CONST8(tp3, 0x3cb177be)
CONST8(tp2, 0xbd5ce4f9)
CONST8(tp1, 0x3e08879a)
CONST8(tp0, 0xbeaaaaa7)

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

// EXP_CONSTS loads the clamp bounds of EXP8 into Y15 and Y14.
#define EXP_CONSTS \
	VMOVUPS explo<>(SB), Y15; \
	VMOVUPS exphi<>(SB), Y14

// EXP8 replaces X by exp(X) (exp32 in activation_generic.go), using N, R
// and T as scratch. The scaling by 2^n is done in two integer exponent
// steps, (p·2^⌊n/2⌋)·2^(n−⌊n/2⌋), so that it overflows to +Inf and
// underflows gradually exactly like a single correctly rounded p·2^n.
#define EXP8(X, N, R, T) \
	VMAXPS       X, Y15, X;          \
	VMINPS       X, Y14, X;          \
	VMULPS       log2e<>(SB), X, N;  \
	VROUNDPS     $0, N, N;           \
	VFNMADD231PS ln2hi<>(SB), N, X;  \
	VFNMADD231PS ln2lo<>(SB), N, X;  \
	VMOVUPS      expc6<>(SB), R;     \
	VFMADD213PS  expc5<>(SB), X, R;  \
	VFMADD213PS  expc4<>(SB), X, R;  \
	VFMADD213PS  expc3<>(SB), X, R;  \
	VFMADD213PS  expc2<>(SB), X, R;  \
	VFMADD213PS  one<>(SB), X, R;    \
	VFMADD213PS  one<>(SB), X, R;    \
	VCVTPS2DQ    N, N;               \
	VPSRAD       $1, N, T;           \
	VPSUBD       T, N, N;            \
	VPSLLD       $23, T, T;          \
	VPSLLD       $23, N, N;          \
	VPADDD       bias<>(SB), T, T;   \
	VPADDD       bias<>(SB), N, N;   \
	VMULPS       T, R, R;            \
	VMULPS       N, R, X

// TAILMASK sets Y13 to all-ones in the low CX lanes (0 < CX < 8).
#define TAILMASK \
	VMOVD        CX, X13;          \
	VPBROADCASTD X13, Y13;         \
	VPCMPGTD     iota<>(SB), Y13, Y13

// UNARY is the loop of a kernel dst[i] = f(x[i]): BODY maps Y0 to Y0.
#define UNARY(BODY) \
	MOVQ dst_base+0(FP), DI;   \
	MOVQ x_base+24(FP), SI;    \
	MOVQ x_len+32(FP), CX;     \
loop:                          \
	CMPQ       CX, $8;         \
	JL         tail;           \
	VMOVUPS    (SI), Y0;       \
	BODY;                      \
	VMOVUPS    Y0, (DI);       \
	ADDQ       $32, SI;        \
	ADDQ       $32, DI;        \
	SUBQ       $8, CX;         \
	JMP        loop;           \
tail:                          \
	TESTQ      CX, CX;         \
	JZ         done;           \
	TAILMASK;                  \
	VMASKMOVPS (SI), Y13, Y0;  \
	BODY;                      \
	VMASKMOVPS Y0, Y13, (DI);  \
done:                          \
	VZEROUPPER;                \
	RET

// func sexpAVX2(dst, x []float32)
TEXT ·sexpAVX2(SB), NOSPLIT, $0-48
	EXP_CONSTS
	UNARY(EXP8(Y0, Y1, Y2, Y3))

// SIGMOID8: Y0 = 1/(1+exp(−Y0)).
#define SIGMOID8 \
	VXORPS  sign<>(SB), Y0, Y1; \
	EXP8(Y1, Y2, Y3, Y4);       \
	VADDPS  one<>(SB), Y1, Y1;  \
	VMOVUPS one<>(SB), Y0;      \
	VDIVPS  Y1, Y0, Y0

// func ssigmoidAVX2(dst, x []float32)
TEXT ·ssigmoidAVX2(SB), NOSPLIT, $0-48
	EXP_CONSTS
	UNARY(SIGMOID8)

// SILU8: Y0 = max(Y0, −MaxFloat32)/(1+exp(−Y0)). Y12 = −MaxFloat32.
#define SILU8 \
	VXORPS sign<>(SB), Y0, Y1; \
	EXP8(Y1, Y2, Y3, Y4);      \
	VADDPS one<>(SB), Y1, Y1;  \
	VMAXPS Y0, Y12, Y0;        \
	VDIVPS Y1, Y0, Y0

// func ssiluAVX2(dst, x []float32)
TEXT ·ssiluAVX2(SB), NOSPLIT, $0-48
	EXP_CONSTS
	VMOVUPS negmax<>(SB), Y12
	UNARY(SILU8)

// SOFTPLUS8: Y0 = max(Y0, 0) + log1p(exp(−|Y0|)), log1p as log1p01:
// u = exp(−|x|), s = u/(2+u), t = u − u·s, y = t², log1p(u) = t + t·y·R(y).
// Y12 = 0.
#define SOFTPLUS8 \
	VORPS       sign<>(SB), Y0, Y1;  \
	EXP8(Y1, Y2, Y3, Y4);            \
	VADDPS       two<>(SB), Y1, Y2;  \
	VDIVPS       Y2, Y1, Y2;         \
	VFNMADD231PS Y2, Y1, Y1;         \
	VMULPS      Y1, Y1, Y2;          \
	VMOVUPS     l1pr3<>(SB), Y3;     \
	VFMADD213PS l1pr2<>(SB), Y2, Y3; \
	VFMADD213PS l1pr1<>(SB), Y2, Y3; \
	VFMADD213PS l1pr0<>(SB), Y2, Y3; \
	VMULPS      Y2, Y1, Y2;          \
	VFMADD231PS Y3, Y2, Y1;          \
	VMAXPS      Y0, Y12, Y0;         \
	VADDPS      Y1, Y0, Y0

// func ssoftplusAVX2(dst, x []float32)
TEXT ·ssoftplusAVX2(SB), NOSPLIT, $0-48
	EXP_CONSTS
	VXORPS Y12, Y12, Y12
	UNARY(SOFTPLUS8)

// TANH8: Y0 = sign(Y0)·tanhAbs(|Y0|); both branches are computed and
// blended on |x| < tanhSmall.
#define TANH8 \
	VANDNPS     Y0, Y12, Y1;          \
	VMULPS      Y1, Y1, Y2;           \
	VMOVUPS     tp6<>(SB), Y3;        \
	VFMADD213PS tp5<>(SB), Y2, Y3;    \
	VFMADD213PS tp4<>(SB), Y2, Y3;    \
	VFMADD213PS tp3<>(SB), Y2, Y3;    \
	VFMADD213PS tp2<>(SB), Y2, Y3;    \
	VFMADD213PS tp1<>(SB), Y2, Y3;    \
	VFMADD213PS tp0<>(SB), Y2, Y3;    \
	VMULPS      Y2, Y1, Y2;           \
	VFMADD213PS Y1, Y2, Y3;           \
	VADDPS      Y1, Y1, Y4;           \
	EXP8(Y4, Y5, Y6, Y7);             \
	VADDPS      one<>(SB), Y4, Y4;    \
	VMOVUPS     two<>(SB), Y5;        \
	VDIVPS      Y4, Y5, Y4;           \
	VMOVUPS     one<>(SB), Y5;        \
	VSUBPS      Y4, Y5, Y4;           \
	VCMPPS      $0x11, tsmall<>(SB), Y1, Y5; \
	VBLENDVPS   Y5, Y3, Y4, Y4;       \
	VANDPS      Y12, Y0, Y0;          \
	VORPS       Y4, Y0, Y0

// func stanhAVX2(dst, x []float32)
TEXT ·stanhAVX2(SB), NOSPLIT, $0-48
	EXP_CONSTS
	VMOVUPS sign<>(SB), Y12
	UNARY(TANH8)

// LRELU8: D = x > 0 (GT_OQ) ? V : slope·V, with Y15 = slope, Y14 = 0.
#define LRELU8(V, D, M) \
	VMULPS    Y15, V, D;         \
	VCMPPS    $0x1e, Y14, V, M;  \
	VBLENDVPS M, V, D, D

// func sleakyReLUAVX2(dst, x []float32, slope float32)
TEXT ·sleakyReLUAVX2(SB), NOSPLIT, $0-52
	VBROADCASTSS slope+48(FP), Y15
	VXORPS       Y14, Y14, Y14
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX

lrelu32:
	CMPQ    CX, $32
	JL      lrelu8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	LRELU8(Y0, Y4, Y8)
	LRELU8(Y1, Y5, Y9)
	LRELU8(Y2, Y6, Y10)
	LRELU8(Y3, Y7, Y11)
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     lrelu32

lrelu8:
	CMPQ    CX, $8
	JL      lrelutail
	VMOVUPS (SI), Y0
	LRELU8(Y0, Y4, Y8)
	VMOVUPS Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     lrelu8

lrelutail:
	TESTQ      CX, CX
	JZ         lreludone
	TAILMASK
	VMASKMOVPS (SI), Y13, Y0
	LRELU8(Y0, Y4, Y8)
	VMASKMOVPS Y4, Y13, (DI)

lreludone:
	VZEROUPPER
	RET

// LRELUB8 is one vector of the backward pass: V = x, D = dy, ACC += dy·x
// over lanes with !(x > 0), O = dx. M and P are scratch; Y15 = slope,
// Y14 = 0. The product is masked after the multiply (not x before it) so
// that dy = ±Inf or NaN in a lane with x > 0 adds nothing, as in the twin.
#define LRELUB8(V, D, ACC, O, M, P) \
	VCMPPS    $0x1e, Y14, V, M; \
	VMULPS    D, V, P;          \
	VANDNPS   P, M, P;          \
	VADDPS    P, ACC, ACC;      \
	VMULPS    Y15, D, O;        \
	VBLENDVPS M, D, O, O

// func sleakyReLUBackwardAVX2(dx, x, dy []float32, slope float32) float32
TEXT ·sleakyReLUBackwardAVX2(SB), NOSPLIT, $0-84
	VBROADCASTSS slope+72(FP), Y15
	VXORPS       Y14, Y14, Y14
	VXORPS       Y10, Y10, Y10
	VXORPS       Y11, Y11, Y11
	MOVQ         dx_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         dy_base+48(FP), DX

lrb16:
	CMPQ    CX, $16
	JL      lrb8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS (DX), Y2
	VMOVUPS 32(DX), Y3
	LRELUB8(Y0, Y2, Y10, Y4, Y6, Y8)
	LRELUB8(Y1, Y3, Y11, Y5, Y7, Y9)
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     lrb16

lrb8:
	CMPQ    CX, $8
	JL      lrbtail
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y2
	LRELUB8(Y0, Y2, Y10, Y4, Y6, Y8)
	VMOVUPS Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     lrb8

lrbtail:
	TESTQ      CX, CX
	JZ         lrbsum
	TAILMASK
	VMASKMOVPS (SI), Y13, Y0
	VMASKMOVPS (DX), Y13, Y2
	LRELUB8(Y0, Y2, Y10, Y4, Y6, Y8)
	VMASKMOVPS Y4, Y13, (DI)

lrbsum:
	VADDPS       Y11, Y10, Y10
	VEXTRACTF128 $1, Y10, X11
	VADDPS       X11, X10, X10
	VHADDPS      X10, X10, X10
	VHADDPS      X10, X10, X10
	VMOVSS       X10, ret+80(FP)
	VZEROUPPER
	RET
