//go:build amd64 && !noasm

#include "textflag.h"

// Linear combinations of matrix rows (SlinComb/DlinComb) for the avx2 tier:
// 4 vector accumulators per column chunk, the rows' terms streamed through
// them with one broadcast and one FMA each, so each output is stored once.

// func slincombAVX2(dst []float32, beta float32, coef, src []float32, ld int)
TEXT ·slincombAVX2(SB), NOSPLIT, $0-88
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	VBROADCASTSS beta+24(FP), Y15
	MOVQ    coef_base+32(FP), R8
	MOVQ    coef_len+40(FP), R9
	MOVQ    src_base+56(FP), SI
	MOVQ    ld+80(FP), R10
	SHLQ    $2, R10
	XORQ    BX, BX
	VXORPS  X14, X14, X14
	VUCOMISS X14, X15
	JNE     wide
	JP      wide
	MOVQ    $1, BX
wide:
	CMPQ    CX, $32
	JL      single
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	TESTQ   BX, BX
	JNZ     wideterms
	VMULPS  0(DI), Y15, Y0
	VMULPS  32(DI), Y15, Y1
	VMULPS  64(DI), Y15, Y2
	VMULPS  96(DI), Y15, Y3
wideterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
wideloop:
	TESTQ   R13, R13
	JZ      widestore
	VBROADCASTSS (R12), Y4
	VFMADD231PS 0(R11), Y4, Y0
	VFMADD231PS 32(R11), Y4, Y1
	VFMADD231PS 64(R11), Y4, Y2
	VFMADD231PS 96(R11), Y4, Y3
	ADDQ    R10, R11
	ADDQ    $4, R12
	DECQ    R13
	JMP     wideloop
widestore:
	VMOVUPS  Y0, 0(DI)
	VMOVUPS  Y1, 32(DI)
	VMOVUPS  Y2, 64(DI)
	VMOVUPS  Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     wide
single:
	CMPQ    CX, $8
	JL      tail
	VXORPS  Y0, Y0, Y0
	TESTQ   BX, BX
	JNZ     singleterms
	VMULPS  (DI), Y15, Y0
singleterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
singleloop:
	TESTQ   R13, R13
	JZ      singlestore
	VBROADCASTSS (R12), Y4
	VFMADD231PS (R11), Y4, Y0
	ADDQ    R10, R11
	ADDQ    $4, R12
	DECQ    R13
	JMP     singleloop
singlestore:
	VMOVUPS  Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     single
tail:
	TESTQ   CX, CX
	JZ      done
	VXORPS  X0, X0, X0
	TESTQ   BX, BX
	JNZ     tailterms
	VMOVSS  (DI), X0
	VMULSS  X0, X15, X0
tailterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
tailloop:
	TESTQ   R13, R13
	JZ      tailstore
	VMOVSS  (R12), X4
	VFMADD231SS (R11), X4, X0
	ADDQ    R10, R11
	ADDQ    $4, R12
	DECQ    R13
	JMP     tailloop
tailstore:
	VMOVSS  X0, (DI)
	ADDQ    $4, DI
	ADDQ    $4, SI
	DECQ    CX
	JMP     tail
done:
	VZEROUPPER
	RET

// func dlincombAVX2(dst []float64, beta float64, coef, src []float64, ld int)
TEXT ·dlincombAVX2(SB), NOSPLIT, $0-88
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	VBROADCASTSD beta+24(FP), Y15
	MOVQ    coef_base+32(FP), R8
	MOVQ    coef_len+40(FP), R9
	MOVQ    src_base+56(FP), SI
	MOVQ    ld+80(FP), R10
	SHLQ    $3, R10
	XORQ    BX, BX
	VXORPD  X14, X14, X14
	VUCOMISD X14, X15
	JNE     wide
	JP      wide
	MOVQ    $1, BX
wide:
	CMPQ    CX, $16
	JL      single
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y2, Y2, Y2
	VXORPD  Y3, Y3, Y3
	TESTQ   BX, BX
	JNZ     wideterms
	VMULPD  0(DI), Y15, Y0
	VMULPD  32(DI), Y15, Y1
	VMULPD  64(DI), Y15, Y2
	VMULPD  96(DI), Y15, Y3
wideterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
wideloop:
	TESTQ   R13, R13
	JZ      widestore
	VBROADCASTSD (R12), Y4
	VFMADD231PD 0(R11), Y4, Y0
	VFMADD231PD 32(R11), Y4, Y1
	VFMADD231PD 64(R11), Y4, Y2
	VFMADD231PD 96(R11), Y4, Y3
	ADDQ    R10, R11
	ADDQ    $8, R12
	DECQ    R13
	JMP     wideloop
widestore:
	VMOVUPD  Y0, 0(DI)
	VMOVUPD  Y1, 32(DI)
	VMOVUPD  Y2, 64(DI)
	VMOVUPD  Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     wide
single:
	CMPQ    CX, $4
	JL      tail
	VXORPD  Y0, Y0, Y0
	TESTQ   BX, BX
	JNZ     singleterms
	VMULPD  (DI), Y15, Y0
singleterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
singleloop:
	TESTQ   R13, R13
	JZ      singlestore
	VBROADCASTSD (R12), Y4
	VFMADD231PD (R11), Y4, Y0
	ADDQ    R10, R11
	ADDQ    $8, R12
	DECQ    R13
	JMP     singleloop
singlestore:
	VMOVUPD  Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     single
tail:
	TESTQ   CX, CX
	JZ      done
	VXORPD  X0, X0, X0
	TESTQ   BX, BX
	JNZ     tailterms
	VMOVSD  (DI), X0
	VMULSD  X0, X15, X0
tailterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
tailloop:
	TESTQ   R13, R13
	JZ      tailstore
	VMOVSD  (R12), X4
	VFMADD231SD (R11), X4, X0
	ADDQ    R10, R11
	ADDQ    $8, R12
	DECQ    R13
	JMP     tailloop
tailstore:
	VMOVSD  X0, (DI)
	ADDQ    $8, DI
	ADDQ    $8, SI
	DECQ    CX
	JMP     tail
done:
	VZEROUPPER
	RET
