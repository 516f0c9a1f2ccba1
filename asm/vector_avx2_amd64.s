//go:build amd64 && !noasm

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

// func sdotAVX2(x, y []float32) float32
TEXT ·sdotAVX2(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop32:
	CMPQ        CX, $32
	JL          loop8
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         loop32

loop8:
	CMPQ        CX, $8
	JL          reduce
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         loop8

reduce:
	// Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes.
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

tail:
	TESTQ       CX, CX
	JZ          done
	VMOVSS      (SI), X1
	VFMADD231SS (DI), X1, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         tail

done:
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func ddotAVX2(x, y []float64) float64
TEXT ·ddotAVX2(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop16:
	CMPQ        CX, $16
	JL          loop4
	VMOVUPD     (SI), Y4
	VMOVUPD     32(SI), Y5
	VMOVUPD     64(SI), Y6
	VMOVUPD     96(SI), Y7
	VFMADD231PD (DI), Y4, Y0
	VFMADD231PD 32(DI), Y5, Y1
	VFMADD231PD 64(DI), Y6, Y2
	VFMADD231PD 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $16, CX
	JMP         loop16

loop4:
	CMPQ        CX, $4
	JL          reduce
	VMOVUPD     (SI), Y4
	VFMADD231PD (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $4, CX
	JMP         loop4

reduce:
	// Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes.
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VUNPCKHPD    X0, X0, X1
	VADDSD       X1, X0, X0

tail:
	TESTQ       CX, CX
	JZ          done
	VMOVSD      (SI), X1
	VFMADD231SD (DI), X1, X0
	ADDQ        $8, SI
	ADDQ        $8, DI
	DECQ        CX
	JMP         tail

done:
	VMOVSD X0, ret+48(FP)
	VZEROUPPER
	RET

// func saxpyAVX2(alpha float32, x, y []float32)
TEXT ·saxpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI

loop32:
	CMPQ        CX, $32
	JL          loop8
	VMOVUPS     (SI), Y1
	VMOVUPS     32(SI), Y2
	VMOVUPS     64(SI), Y3
	VMOVUPS     96(SI), Y4
	VFMADD213PS (DI), Y0, Y1
	VFMADD213PS 32(DI), Y0, Y2
	VFMADD213PS 64(DI), Y0, Y3
	VFMADD213PS 96(DI), Y0, Y4
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	VMOVUPS     Y3, 64(DI)
	VMOVUPS     Y4, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         loop32

loop8:
	CMPQ        CX, $8
	JL          tail
	VMOVUPS     (SI), Y1
	VFMADD213PS (DI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         loop8

tail:
	TESTQ       CX, CX
	JZ          done
	VMOVSS      (SI), X1
	VFMADD213SS (DI), X0, X1
	VMOVSS      X1, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         tail

done:
	VZEROUPPER
	RET

// func daxpyAVX2(alpha float64, x, y []float64)
TEXT ·daxpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI

loop16:
	CMPQ        CX, $16
	JL          loop4
	VMOVUPD     (SI), Y1
	VMOVUPD     32(SI), Y2
	VMOVUPD     64(SI), Y3
	VMOVUPD     96(SI), Y4
	VFMADD213PD (DI), Y0, Y1
	VFMADD213PD 32(DI), Y0, Y2
	VFMADD213PD 64(DI), Y0, Y3
	VFMADD213PD 96(DI), Y0, Y4
	VMOVUPD     Y1, (DI)
	VMOVUPD     Y2, 32(DI)
	VMOVUPD     Y3, 64(DI)
	VMOVUPD     Y4, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $16, CX
	JMP         loop16

loop4:
	CMPQ        CX, $4
	JL          tail
	VMOVUPD     (SI), Y1
	VFMADD213PD (DI), Y0, Y1
	VMOVUPD     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $4, CX
	JMP         loop4

tail:
	TESTQ       CX, CX
	JZ          done
	VMOVSD      (SI), X1
	VFMADD213SD (DI), X0, X1
	VMOVSD      X1, (DI)
	ADDQ        $8, SI
	ADDQ        $8, DI
	DECQ        CX
	JMP         tail

done:
	VZEROUPPER
	RET

// func sscalAVX2(alpha float32, x []float32)
TEXT ·sscalAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMULPS  (SI), Y0, Y1
	VMULPS  32(SI), Y0, Y2
	VMULPS  64(SI), Y0, Y3
	VMULPS  96(SI), Y0, Y4
	VMOVUPS Y1, (SI)
	VMOVUPS Y2, 32(SI)
	VMOVUPS Y3, 64(SI)
	VMOVUPS Y4, 96(SI)
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMULPS  (SI), Y0, Y1
	VMOVUPS Y1, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ  CX, CX
	JZ     done
	VMULSS (SI), X0, X1
	VMOVSS X1, (SI)
	ADDQ   $4, SI
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func dscalAVX2(alpha float64, x []float64)
TEXT ·dscalAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX

loop16:
	CMPQ    CX, $16
	JL      loop4
	VMULPD  (SI), Y0, Y1
	VMULPD  32(SI), Y0, Y2
	VMULPD  64(SI), Y0, Y3
	VMULPD  96(SI), Y0, Y4
	VMOVUPD Y1, (SI)
	VMOVUPD Y2, 32(SI)
	VMOVUPD Y3, 64(SI)
	VMOVUPD Y4, 96(SI)
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     loop16

loop4:
	CMPQ    CX, $4
	JL      tail
	VMULPD  (SI), Y0, Y1
	VMOVUPD Y1, (SI)
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     loop4

tail:
	TESTQ  CX, CX
	JZ     done
	VMULSD (SI), X0, X1
	VMOVSD X1, (SI)
	ADDQ   $8, SI
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func saddAVX2(dst, a, b []float32)
TEXT ·saddAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VADDPS  64(DI), Y2, Y2
	VADDPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	ADDQ    $128, SI
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPS (SI), Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DX)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (SI), X0
	VADDSS (DI), X0, X0
	VMOVSS X0, (DX)
	ADDQ   $4, SI
	ADDQ   $4, DI
	ADDQ   $4, DX
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func daddAVX2(dst, a, b []float64)
TEXT ·daddAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop16:
	CMPQ    CX, $16
	JL      loop4
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VADDPD  (DI), Y0, Y0
	VADDPD  32(DI), Y1, Y1
	VADDPD  64(DI), Y2, Y2
	VADDPD  96(DI), Y3, Y3
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	ADDQ    $128, SI
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $16, CX
	JMP     loop16

loop4:
	CMPQ    CX, $4
	JL      tail
	VMOVUPD (SI), Y0
	VADDPD  (DI), Y0, Y0
	VMOVUPD Y0, (DX)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $4, CX
	JMP     loop4

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSD (SI), X0
	VADDSD (DI), X0, X0
	VMOVSD X0, (DX)
	ADDQ   $8, SI
	ADDQ   $8, DI
	ADDQ   $8, DX
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func ssubAVX2(dst, a, b []float32)
TEXT ·ssubAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS  (DI), Y0, Y0
	VSUBPS  32(DI), Y1, Y1
	VSUBPS  64(DI), Y2, Y2
	VSUBPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	ADDQ    $128, SI
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPS (SI), Y0
	VSUBPS  (DI), Y0, Y0
	VMOVUPS Y0, (DX)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (SI), X0
	VSUBSS (DI), X0, X0
	VMOVSS X0, (DX)
	ADDQ   $4, SI
	ADDQ   $4, DI
	ADDQ   $4, DX
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func dsubAVX2(dst, a, b []float64)
TEXT ·dsubAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop16:
	CMPQ    CX, $16
	JL      loop4
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VSUBPD  (DI), Y0, Y0
	VSUBPD  32(DI), Y1, Y1
	VSUBPD  64(DI), Y2, Y2
	VSUBPD  96(DI), Y3, Y3
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	ADDQ    $128, SI
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $16, CX
	JMP     loop16

loop4:
	CMPQ    CX, $4
	JL      tail
	VMOVUPD (SI), Y0
	VSUBPD  (DI), Y0, Y0
	VMOVUPD Y0, (DX)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $4, CX
	JMP     loop4

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSD (SI), X0
	VSUBSD (DI), X0, X0
	VMOVSD X0, (DX)
	ADDQ   $8, SI
	ADDQ   $8, DI
	ADDQ   $8, DX
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func smulAVX2(dst, a, b []float32)
TEXT ·smulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS  (DI), Y0, Y0
	VMULPS  32(DI), Y1, Y1
	VMULPS  64(DI), Y2, Y2
	VMULPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	ADDQ    $128, SI
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      tail
	VMOVUPS (SI), Y0
	VMULPS  (DI), Y0, Y0
	VMOVUPS Y0, (DX)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (SI), X0
	VMULSS (DI), X0, X0
	VMOVSS X0, (DX)
	ADDQ   $4, SI
	ADDQ   $4, DI
	ADDQ   $4, DX
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func dmulAVX2(dst, a, b []float64)
TEXT ·dmulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DX
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DI

loop16:
	CMPQ    CX, $16
	JL      loop4
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VMULPD  (DI), Y0, Y0
	VMULPD  32(DI), Y1, Y1
	VMULPD  64(DI), Y2, Y2
	VMULPD  96(DI), Y3, Y3
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	ADDQ    $128, SI
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $16, CX
	JMP     loop16

loop4:
	CMPQ    CX, $4
	JL      tail
	VMOVUPD (SI), Y0
	VMULPD  (DI), Y0, Y0
	VMOVUPD Y0, (DX)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $4, CX
	JMP     loop4

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSD (SI), X0
	VMULSD (DI), X0, X0
	VMOVSD X0, (DX)
	ADDQ   $8, SI
	ADDQ   $8, DI
	ADDQ   $8, DX
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func ssumAVX2(x []float32) float32
TEXT ·ssumAVX2(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop32:
	CMPQ   CX, $32
	JL     loop8
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	ADDQ   $128, SI
	SUBQ   $32, CX
	JMP    loop32

loop8:
	CMPQ   CX, $8
	JL     reduce
	VADDPS (SI), Y0, Y0
	ADDQ   $32, SI
	SUBQ   $8, CX
	JMP    loop8

reduce:
	// Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes.
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

tail:
	TESTQ  CX, CX
	JZ     done
	VADDSS (SI), X0, X0
	ADDQ   $4, SI
	DECQ   CX
	JMP    tail

done:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dsumAVX2(x []float64) float64
TEXT ·dsumAVX2(SB), NOSPLIT, $0-32
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop16:
	CMPQ   CX, $16
	JL     loop4
	VADDPD (SI), Y0, Y0
	VADDPD 32(SI), Y1, Y1
	VADDPD 64(SI), Y2, Y2
	VADDPD 96(SI), Y3, Y3
	ADDQ   $128, SI
	SUBQ   $16, CX
	JMP    loop16

loop4:
	CMPQ   CX, $4
	JL     reduce
	VADDPD (SI), Y0, Y0
	ADDQ   $32, SI
	SUBQ   $4, CX
	JMP    loop4

reduce:
	// Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes.
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VUNPCKHPD    X0, X0, X1
	VADDSD       X1, X0, X0

tail:
	TESTQ  CX, CX
	JZ     done
	VADDSD (SI), X0, X0
	ADDQ   $8, SI
	DECQ   CX
	JMP    tail

done:
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// func smaxabsAVX2(x []float32) float32
TEXT ·smaxabsAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	// Y4 = all ones >> 1, the mask that clears the sign bit.
	VPCMPEQD Y4, Y4, Y4
	VPSRLD   $1, Y4, Y4
	VPXOR    Y0, Y0, Y0
	VPXOR    Y1, Y1, Y1
	VPXOR    Y2, Y2, Y2
	VPXOR    Y3, Y3, Y3

loop32:
	CMPQ    CX, $32
	JL      loop8
	VPAND   (SI), Y4, Y5
	VPAND   32(SI), Y4, Y6
	VPAND   64(SI), Y4, Y7
	VPAND   96(SI), Y4, Y8
	VPMAXUD Y5, Y0, Y0
	VPMAXUD Y6, Y1, Y1
	VPMAXUD Y7, Y2, Y2
	VPMAXUD Y8, Y3, Y3
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      reduce
	VPAND   (SI), Y4, Y5
	VPMAXUD Y5, Y0, Y0
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     loop8

reduce:
	// Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes.
	VPMAXUD      Y1, Y0, Y0
	VPMAXUD      Y3, Y2, Y2
	VPMAXUD      Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPMAXUD      X1, X0, X0

tail:
	TESTQ   CX, CX
	JZ      done
	VMOVSS  (SI), X1
	VPAND   X4, X1, X1
	VPMAXUD X1, X0, X0
	ADDQ    $4, SI
	DECQ    CX
	JMP     tail

done:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dmaxabsAVX2(x []float64) float64
TEXT ·dmaxabsAVX2(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	// Y4 = all ones >> 1, the mask that clears the sign bit.
	VPCMPEQQ Y4, Y4, Y4
	VPSRLQ   $1, Y4, Y4
	// Y0-Y3 hold the maxima, Y9-Y12 the sums of |x| that detect NaN.
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12

loop16:
	CMPQ   CX, $16
	JL     loop4
	VANDPD (SI), Y4, Y5
	VANDPD 32(SI), Y4, Y6
	VANDPD 64(SI), Y4, Y7
	VANDPD 96(SI), Y4, Y8
	VMAXPD Y5, Y0, Y0
	VMAXPD Y6, Y1, Y1
	VMAXPD Y7, Y2, Y2
	VMAXPD Y8, Y3, Y3
	VADDPD Y5, Y9, Y9
	VADDPD Y6, Y10, Y10
	VADDPD Y7, Y11, Y11
	VADDPD Y8, Y12, Y12
	ADDQ   $128, SI
	SUBQ   $16, CX
	JMP    loop16

loop4:
	CMPQ   CX, $4
	JL     reduce
	VANDPD (SI), Y4, Y5
	VMAXPD Y5, Y0, Y0
	VADDPD Y5, Y9, Y9
	ADDQ   $32, SI
	SUBQ   $4, CX
	JMP    loop4

reduce:
	// Reduce before the scalar tail, whose VEX.128 ops clear the upper lanes.
	VMAXPD       Y1, Y0, Y0
	VMAXPD       Y3, Y2, Y2
	VMAXPD       Y2, Y0, Y0
	VADDPD       Y10, Y9, Y9
	VADDPD       Y12, Y11, Y11
	VADDPD       Y11, Y9, Y9
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X1, X0, X0
	VUNPCKHPD    X0, X0, X1
	VMAXSD       X1, X0, X0
	VEXTRACTF128 $1, Y9, X1
	VADDPD       X1, X9, X9
	VUNPCKHPD    X9, X9, X1
	VADDSD       X1, X9, X9

tail:
	TESTQ  CX, CX
	JZ     done
	VMOVSD (SI), X1
	VANDPD X4, X1, X1
	VMAXSD X1, X0, X0
	VADDSD X1, X9, X9
	ADDQ   $8, SI
	DECQ   CX
	JMP    tail

done:
	VUCOMISD X9, X9
	JPS      nan
	VMOVSD   X0, ret+24(FP)
	VZEROUPPER
	RET

nan:
	VMOVSD X9, ret+24(FP)
	VZEROUPPER
	RET
