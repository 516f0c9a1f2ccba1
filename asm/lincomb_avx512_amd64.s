//go:build amd64 && !noasm

#include "textflag.h"

// Linear combinations of matrix rows (SlinComb/DlinComb) for the avx512 tier:
// 4 vector accumulators per column chunk, the rows' terms streamed through
// them with one broadcast and one FMA each, so each output is stored once.

// func slincombAVX512(dst []float32, beta float32, coef, src []float32, ld int)
TEXT ·slincombAVX512(SB), NOSPLIT, $0-88
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	VBROADCASTSS beta+24(FP), Z15
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
	CMPQ    CX, $64
	JL      single
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	VPXORD  Z2, Z2, Z2
	VPXORD  Z3, Z3, Z3
	TESTQ   BX, BX
	JNZ     wideterms
	VMULPS  0(DI), Z15, Z0
	VMULPS  64(DI), Z15, Z1
	VMULPS  128(DI), Z15, Z2
	VMULPS  192(DI), Z15, Z3
wideterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
wideloop:
	TESTQ   R13, R13
	JZ      widestore
	VBROADCASTSS (R12), Z4
	VFMADD231PS 0(R11), Z4, Z0
	VFMADD231PS 64(R11), Z4, Z1
	VFMADD231PS 128(R11), Z4, Z2
	VFMADD231PS 192(R11), Z4, Z3
	ADDQ    R10, R11
	ADDQ    $4, R12
	DECQ    R13
	JMP     wideloop
widestore:
	VMOVUPS  Z0, 0(DI)
	VMOVUPS  Z1, 64(DI)
	VMOVUPS  Z2, 128(DI)
	VMOVUPS  Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $64, CX
	JMP     wide
single:
	CMPQ    CX, $16
	JL      tail
	VPXORD  Z0, Z0, Z0
	TESTQ   BX, BX
	JNZ     singleterms
	VMULPS  (DI), Z15, Z0
singleterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
singleloop:
	TESTQ   R13, R13
	JZ      singlestore
	VBROADCASTSS (R12), Z4
	VFMADD231PS (R11), Z4, Z0
	ADDQ    R10, R11
	ADDQ    $4, R12
	DECQ    R13
	JMP     singleloop
singlestore:
	VMOVUPS  Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     single
tail:
	TESTQ   CX, CX
	JZ      done
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K1
	VPXORD  Z0, Z0, Z0
	TESTQ   BX, BX
	JNZ     tailterms
	VMOVUPS.Z (DI), K1, Z0
	VMULPS  Z0, Z15, Z0
tailterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
tailloop:
	TESTQ   R13, R13
	JZ      tailstore
	VBROADCASTSS (R12), Z4
	VMOVUPS.Z (R11), K1, Z5
	VFMADD231PS Z5, Z4, Z0
	ADDQ    R10, R11
	ADDQ    $4, R12
	DECQ    R13
	JMP     tailloop
tailstore:
	VMOVUPS  Z0, K1, (DI)
done:
	VZEROUPPER
	RET

// func dlincombAVX512(dst []float64, beta float64, coef, src []float64, ld int)
TEXT ·dlincombAVX512(SB), NOSPLIT, $0-88
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	VBROADCASTSD beta+24(FP), Z15
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
	CMPQ    CX, $32
	JL      single
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	VPXORD  Z2, Z2, Z2
	VPXORD  Z3, Z3, Z3
	TESTQ   BX, BX
	JNZ     wideterms
	VMULPD  0(DI), Z15, Z0
	VMULPD  64(DI), Z15, Z1
	VMULPD  128(DI), Z15, Z2
	VMULPD  192(DI), Z15, Z3
wideterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
wideloop:
	TESTQ   R13, R13
	JZ      widestore
	VBROADCASTSD (R12), Z4
	VFMADD231PD 0(R11), Z4, Z0
	VFMADD231PD 64(R11), Z4, Z1
	VFMADD231PD 128(R11), Z4, Z2
	VFMADD231PD 192(R11), Z4, Z3
	ADDQ    R10, R11
	ADDQ    $8, R12
	DECQ    R13
	JMP     wideloop
widestore:
	VMOVUPD  Z0, 0(DI)
	VMOVUPD  Z1, 64(DI)
	VMOVUPD  Z2, 128(DI)
	VMOVUPD  Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $32, CX
	JMP     wide
single:
	CMPQ    CX, $8
	JL      tail
	VPXORD  Z0, Z0, Z0
	TESTQ   BX, BX
	JNZ     singleterms
	VMULPD  (DI), Z15, Z0
singleterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
singleloop:
	TESTQ   R13, R13
	JZ      singlestore
	VBROADCASTSD (R12), Z4
	VFMADD231PD (R11), Z4, Z0
	ADDQ    R10, R11
	ADDQ    $8, R12
	DECQ    R13
	JMP     singleloop
singlestore:
	VMOVUPD  Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     single
tail:
	TESTQ   CX, CX
	JZ      done
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K1
	VPXORD  Z0, Z0, Z0
	TESTQ   BX, BX
	JNZ     tailterms
	VMOVUPD.Z (DI), K1, Z0
	VMULPD  Z0, Z15, Z0
tailterms:
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13
tailloop:
	TESTQ   R13, R13
	JZ      tailstore
	VBROADCASTSD (R12), Z4
	VMOVUPD.Z (R11), K1, Z5
	VFMADD231PD Z5, Z4, Z0
	ADDQ    R10, R11
	ADDQ    $8, R12
	DECQ    R13
	JMP     tailloop
tailstore:
	VMOVUPD  Z0, K1, (DI)
done:
	VZEROUPPER
	RET
