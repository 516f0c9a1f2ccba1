//go:build amd64 && !noasm

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

// func sdotAVX512(x, y []float32) float32
TEXT ·sdotAVX512(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

loop64:
	CMPQ        CX, $64
	JL          loop16
	VMOVUPS     (SI), Z4
	VMOVUPS     64(SI), Z5
	VMOVUPS     128(SI), Z6
	VMOVUPS     192(SI), Z7
	VFMADD231PS (DI), Z4, Z0
	VFMADD231PS 64(DI), Z5, Z1
	VFMADD231PS 128(DI), Z6, Z2
	VFMADD231PS 192(DI), Z7, Z3
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $64, CX
	JMP         loop64

loop16:
	CMPQ        CX, $16
	JL          tail
	VMOVUPS     (SI), Z4
	VFMADD231PS (DI), Z4, Z0
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         loop16

tail:
	TESTQ CX, CX
	JZ    reduce
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX
	KMOVW       AX, K1
	VMOVUPS.Z   (SI), K1, Z4
	VMOVUPS.Z   (DI), K1, Z5
	VFMADD231PS Z5, Z4, Z1

reduce:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0
	VMOVSS        X0, ret+48(FP)
	VZEROUPPER
	RET

// func ddotAVX512(x, y []float64) float64
TEXT ·ddotAVX512(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

loop32:
	CMPQ        CX, $32
	JL          loop8
	VMOVUPD     (SI), Z4
	VMOVUPD     64(SI), Z5
	VMOVUPD     128(SI), Z6
	VMOVUPD     192(SI), Z7
	VFMADD231PD (DI), Z4, Z0
	VFMADD231PD 64(DI), Z5, Z1
	VFMADD231PD 128(DI), Z6, Z2
	VFMADD231PD 192(DI), Z7, Z3
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $32, CX
	JMP         loop32

loop8:
	CMPQ        CX, $8
	JL          tail
	VMOVUPD     (SI), Z4
	VFMADD231PD (DI), Z4, Z0
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $8, CX
	JMP         loop8

tail:
	TESTQ CX, CX
	JZ    reduce
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX
	KMOVW       AX, K1
	VMOVUPD.Z   (SI), K1, Z4
	VMOVUPD.Z   (DI), K1, Z5
	VFMADD231PD Z5, Z4, Z1

reduce:
	VADDPD        Z1, Z0, Z0
	VADDPD        Z3, Z2, Z2
	VADDPD        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VUNPCKHPD     X0, X0, X1
	VADDSD        X1, X0, X0
	VMOVSD        X0, ret+48(FP)
	VZEROUPPER
	RET

// func saxpyAVX512(alpha float32, x, y []float32)
TEXT ·saxpyAVX512(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI

loop64:
	CMPQ        CX, $64
	JL          loop16
	VMOVUPS     (SI), Z1
	VMOVUPS     64(SI), Z2
	VMOVUPS     128(SI), Z3
	VMOVUPS     192(SI), Z4
	VFMADD213PS (DI), Z0, Z1
	VFMADD213PS 64(DI), Z0, Z2
	VFMADD213PS 128(DI), Z0, Z3
	VFMADD213PS 192(DI), Z0, Z4
	VMOVUPS     Z1, (DI)
	VMOVUPS     Z2, 64(DI)
	VMOVUPS     Z3, 128(DI)
	VMOVUPS     Z4, 192(DI)
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $64, CX
	JMP         loop64

loop16:
	CMPQ        CX, $16
	JL          tail
	VMOVUPS     (SI), Z1
	VFMADD213PS (DI), Z0, Z1
	VMOVUPS     Z1, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         loop16

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX
	KMOVW       AX, K1
	VMOVUPS.Z   (SI), K1, Z1
	VMOVUPS.Z   (DI), K1, Z2
	VFMADD231PS Z1, Z0, Z2
	VMOVUPS     Z2, K1, (DI)

done:
	VZEROUPPER
	RET

// func daxpyAVX512(alpha float64, x, y []float64)
TEXT ·daxpyAVX512(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI

loop32:
	CMPQ        CX, $32
	JL          loop8
	VMOVUPD     (SI), Z1
	VMOVUPD     64(SI), Z2
	VMOVUPD     128(SI), Z3
	VMOVUPD     192(SI), Z4
	VFMADD213PD (DI), Z0, Z1
	VFMADD213PD 64(DI), Z0, Z2
	VFMADD213PD 128(DI), Z0, Z3
	VFMADD213PD 192(DI), Z0, Z4
	VMOVUPD     Z1, (DI)
	VMOVUPD     Z2, 64(DI)
	VMOVUPD     Z3, 128(DI)
	VMOVUPD     Z4, 192(DI)
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $32, CX
	JMP         loop32

loop8:
	CMPQ        CX, $8
	JL          tail
	VMOVUPD     (SI), Z1
	VFMADD213PD (DI), Z0, Z1
	VMOVUPD     Z1, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $8, CX
	JMP         loop8

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX
	KMOVW       AX, K1
	VMOVUPD.Z   (SI), K1, Z1
	VMOVUPD.Z   (DI), K1, Z2
	VFMADD231PD Z1, Z0, Z2
	VMOVUPD     Z2, K1, (DI)

done:
	VZEROUPPER
	RET

// func sscalAVX512(alpha float32, x []float32)
TEXT ·sscalAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX

loop64:
	CMPQ    CX, $64
	JL      loop16
	VMULPS  (SI), Z0, Z1
	VMULPS  64(SI), Z0, Z2
	VMULPS  128(SI), Z0, Z3
	VMULPS  192(SI), Z0, Z4
	VMOVUPS Z1, (SI)
	VMOVUPS Z2, 64(SI)
	VMOVUPS Z3, 128(SI)
	VMOVUPS Z4, 192(SI)
	ADDQ    $256, SI
	SUBQ    $64, CX
	JMP     loop64

loop16:
	CMPQ    CX, $16
	JL      tail
	VMULPS  (SI), Z0, Z1
	VMOVUPS Z1, (SI)
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (SI), K1, Z1
	VMULPS    Z1, Z0, Z1
	VMOVUPS   Z1, K1, (SI)

done:
	VZEROUPPER
	RET

// func dscalAVX512(alpha float64, x []float64)
TEXT ·dscalAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMULPD  (SI), Z0, Z1
	VMULPD  64(SI), Z0, Z2
	VMULPD  128(SI), Z0, Z3
	VMULPD  192(SI), Z0, Z4
	VMOVUPD Z1, (SI)
	VMOVUPD Z2, 64(SI)
	VMOVUPD Z3, 128(SI)
	VMOVUPD Z4, 192(SI)
	ADDQ    $256, SI
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMULPD  (SI), Z0, Z1
	VMOVUPD Z1, (SI)
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z1
	VMULPD    Z1, Z0, Z1
	VMOVUPD   Z1, K1, (SI)

done:
	VZEROUPPER
	RET

// func saddAVX512(dst, a, b []float32)
TEXT ·saddAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop64:
	CMPQ    CX, $64
	JL      loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VADDPS  (DI), Z0, Z0
	VADDPS  64(DI), Z1, Z1
	VADDPS  128(DI), Z2, Z2
	VADDPS  192(DI), Z3, Z3
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	ADDQ    $256, SI
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $64, CX
	JMP     loop64

loop16:
	CMPQ    CX, $16
	JL      tail
	VMOVUPS (SI), Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DI), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DX)

done:
	VZEROUPPER
	RET

// func daddAVX512(dst, a, b []float64)
TEXT ·daddAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	VMOVUPD 128(SI), Z2
	VMOVUPD 192(SI), Z3
	VADDPD  (DI), Z0, Z0
	VADDPD  64(DI), Z1, Z1
	VADDPD  128(DI), Z2, Z2
	VADDPD  192(DI), Z3, Z3
	VMOVUPD Z0, (DX)
	VMOVUPD Z1, 64(DX)
	VMOVUPD Z2, 128(DX)
	VMOVUPD Z3, 192(DX)
	ADDQ    $256, SI
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPD (SI), Z0
	VADDPD  (DI), Z0, Z0
	VMOVUPD Z0, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z (DI), K1, Z1
	VADDPD    Z1, Z0, Z0
	VMOVUPD   Z0, K1, (DX)

done:
	VZEROUPPER
	RET

// func ssubAVX512(dst, a, b []float32)
TEXT ·ssubAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop64:
	CMPQ    CX, $64
	JL      loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VSUBPS  (DI), Z0, Z0
	VSUBPS  64(DI), Z1, Z1
	VSUBPS  128(DI), Z2, Z2
	VSUBPS  192(DI), Z3, Z3
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	ADDQ    $256, SI
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $64, CX
	JMP     loop64

loop16:
	CMPQ    CX, $16
	JL      tail
	VMOVUPS (SI), Z0
	VSUBPS  (DI), Z0, Z0
	VMOVUPS Z0, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DI), K1, Z1
	VSUBPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DX)

done:
	VZEROUPPER
	RET

// func dsubAVX512(dst, a, b []float64)
TEXT ·dsubAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	VMOVUPD 128(SI), Z2
	VMOVUPD 192(SI), Z3
	VSUBPD  (DI), Z0, Z0
	VSUBPD  64(DI), Z1, Z1
	VSUBPD  128(DI), Z2, Z2
	VSUBPD  192(DI), Z3, Z3
	VMOVUPD Z0, (DX)
	VMOVUPD Z1, 64(DX)
	VMOVUPD Z2, 128(DX)
	VMOVUPD Z3, 192(DX)
	ADDQ    $256, SI
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPD (SI), Z0
	VSUBPD  (DI), Z0, Z0
	VMOVUPD Z0, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z (DI), K1, Z1
	VSUBPD    Z1, Z0, Z0
	VMOVUPD   Z0, K1, (DX)

done:
	VZEROUPPER
	RET

// func smulAVX512(dst, a, b []float32)
TEXT ·smulAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop64:
	CMPQ    CX, $64
	JL      loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMULPS  (DI), Z0, Z0
	VMULPS  64(DI), Z1, Z1
	VMULPS  128(DI), Z2, Z2
	VMULPS  192(DI), Z3, Z3
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	ADDQ    $256, SI
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $64, CX
	JMP     loop64

loop16:
	CMPQ    CX, $16
	JL      tail
	VMOVUPS (SI), Z0
	VMULPS  (DI), Z0, Z0
	VMOVUPS Z0, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DI), K1, Z1
	VMULPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DX)

done:
	VZEROUPPER
	RET

// func dmulAVX512(dst, a, b []float64)
TEXT ·dmulAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	VMOVUPD 128(SI), Z2
	VMOVUPD 192(SI), Z3
	VMULPD  (DI), Z0, Z0
	VMULPD  64(DI), Z1, Z1
	VMULPD  128(DI), Z2, Z2
	VMULPD  192(DI), Z3, Z3
	VMOVUPD Z0, (DX)
	VMOVUPD Z1, 64(DX)
	VMOVUPD Z2, 128(DX)
	VMOVUPD Z3, 192(DX)
	ADDQ    $256, SI
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPD (SI), Z0
	VMULPD  (DI), Z0, Z0
	VMOVUPD Z0, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ CX, CX
	JZ    done
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z (DI), K1, Z1
	VMULPD    Z1, Z0, Z0
	VMOVUPD   Z0, K1, (DX)

done:
	VZEROUPPER
	RET

// func ssumAVX512(x []float32) float32
TEXT ·ssumAVX512(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

loop64:
	CMPQ   CX, $64
	JL     loop16
	VADDPS (SI), Z0, Z0
	VADDPS 64(SI), Z1, Z1
	VADDPS 128(SI), Z2, Z2
	VADDPS 192(SI), Z3, Z3
	ADDQ   $256, SI
	SUBQ   $64, CX
	JMP    loop64

loop16:
	CMPQ   CX, $16
	JL     tail
	VADDPS (SI), Z0, Z0
	ADDQ   $64, SI
	SUBQ   $16, CX
	JMP    loop16

tail:
	TESTQ CX, CX
	JZ    reduce
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (SI), K1, Z4
	VADDPS    Z4, Z1, Z1

reduce:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0
	VMOVSS        X0, ret+24(FP)
	VZEROUPPER
	RET

// func dsumAVX512(x []float64) float64
TEXT ·dsumAVX512(SB), NOSPLIT, $0-32
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

loop32:
	CMPQ   CX, $32
	JL     loop8
	VADDPD (SI), Z0, Z0
	VADDPD 64(SI), Z1, Z1
	VADDPD 128(SI), Z2, Z2
	VADDPD 192(SI), Z3, Z3
	ADDQ   $256, SI
	SUBQ   $32, CX
	JMP    loop32

loop8:
	CMPQ   CX, $8
	JL     tail
	VADDPD (SI), Z0, Z0
	ADDQ   $64, SI
	SUBQ   $8, CX
	JMP    loop8

tail:
	TESTQ CX, CX
	JZ    reduce
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z4
	VADDPD    Z4, Z1, Z1

reduce:
	VADDPD        Z1, Z0, Z0
	VADDPD        Z3, Z2, Z2
	VADDPD        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VUNPCKHPD     X0, X0, X1
	VADDSD        X1, X0, X0
	VMOVSD        X0, ret+24(FP)
	VZEROUPPER
	RET

// func smaxabsAVX512(x []float32) float32
TEXT ·smaxabsAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	// Z4 = all ones >> 1, the mask that clears the sign bit.
	VPTERNLOGD $0xff, Z4, Z4, Z4
	VPSRLD     $1, Z4, Z4
	VPXORD     Z0, Z0, Z0
	VPXORD     Z1, Z1, Z1
	VPXORD     Z2, Z2, Z2
	VPXORD     Z3, Z3, Z3

loop64:
	CMPQ    CX, $64
	JL      loop16
	VPANDD  (SI), Z4, Z5
	VPANDD  64(SI), Z4, Z6
	VPANDD  128(SI), Z4, Z7
	VPANDD  192(SI), Z4, Z8
	VPMAXUD Z5, Z0, Z0
	VPMAXUD Z6, Z1, Z1
	VPMAXUD Z7, Z2, Z2
	VPMAXUD Z8, Z3, Z3
	ADDQ    $256, SI
	SUBQ    $64, CX
	JMP     loop64

loop16:
	CMPQ    CX, $16
	JL      tail
	VPANDD  (SI), Z4, Z5
	VPMAXUD Z5, Z0, Z0
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JZ    reduce
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	// Masked-off lanes are 0, which never beats a real |x|.
	VMOVDQU32.Z (SI), K1, Z5
	VPANDD      Z5, Z4, Z5
	VPMAXUD     Z5, Z1, Z1

reduce:
	VPMAXUD       Z1, Z0, Z0
	VPMAXUD       Z3, Z2, Z2
	VPMAXUD       Z2, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPMAXUD       Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPMAXUD       X1, X0, X0
	VPSHUFD       $0x4e, X0, X1
	VPMAXUD       X1, X0, X0
	VPSHUFD       $0xb1, X0, X1
	VPMAXUD       X1, X0, X0
	VMOVSS        X0, ret+24(FP)
	VZEROUPPER
	RET

// func dmaxabsAVX512(x []float64) float64
TEXT ·dmaxabsAVX512(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	// Z4 = all ones >> 1, the mask that clears the sign bit.
	VPTERNLOGQ $0xff, Z4, Z4, Z4
	VPSRLQ     $1, Z4, Z4
	VPXORD     Z0, Z0, Z0
	VPXORD     Z1, Z1, Z1
	VPXORD     Z2, Z2, Z2
	VPXORD     Z3, Z3, Z3

loop32:
	CMPQ    CX, $32
	JL      loop8
	VPANDQ  (SI), Z4, Z5
	VPANDQ  64(SI), Z4, Z6
	VPANDQ  128(SI), Z4, Z7
	VPANDQ  192(SI), Z4, Z8
	VPMAXUQ Z5, Z0, Z0
	VPMAXUQ Z6, Z1, Z1
	VPMAXUQ Z7, Z2, Z2
	VPMAXUQ Z8, Z3, Z3
	ADDQ    $256, SI
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VPANDQ  (SI), Z4, Z5
	VPMAXUQ Z5, Z0, Z0
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ CX, CX
	JZ    reduce
	// K1 = (1<<CX)-1: masked-off lanes load as zero and are never stored.
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	// Masked-off lanes are 0, which never beats a real |x|.
	VMOVDQU64.Z (SI), K1, Z5
	VPANDQ      Z5, Z4, Z5
	VPMAXUQ     Z5, Z1, Z1

reduce:
	VPMAXUQ Z1, Z0, Z0
	VPMAXUQ Z3, Z2, Z2
	VPMAXUQ Z2, Z0, Z0
	// VPMAXUQ has no VEX form: stay on zmm; only the low lanes matter.
	VEXTRACTI64X4 $1, Z0, Y1
	VPMAXUQ       Z1, Z0, Z0
	VEXTRACTI128  $1, Y0, X1
	VPMAXUQ       Z1, Z0, Z0
	VPSHUFD       $0x4e, X0, X1
	VPMAXUQ       Z1, Z0, Z0
	VMOVSD        X0, ret+24(FP)
	VZEROUPPER
	RET
