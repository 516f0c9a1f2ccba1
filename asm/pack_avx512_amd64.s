//go:build amd64 && !noasm

#include "textflag.h"

// GEMM packing kernels for the avx512 tier (twins: packRunsGeneric and
// packInterleaveGeneric). A sliver group of w ≤ 2 vectors is handled with
// opmasks: lanes past n load as zero (the padding), lanes past w are not
// stored, and masked-off lanes never fault. Interleaving gathers one
// element from each of the n source rows per step (VGATHERD*), with row
// offsets lane·ld as int32 indices; the Go wrapper checks they fit.

// packLanes is 0, 1, ..., 15 as int32.
DATA packLanes<>+0(SB)/4, $0
DATA packLanes<>+4(SB)/4, $1
DATA packLanes<>+8(SB)/4, $2
DATA packLanes<>+12(SB)/4, $3
DATA packLanes<>+16(SB)/4, $4
DATA packLanes<>+20(SB)/4, $5
DATA packLanes<>+24(SB)/4, $6
DATA packLanes<>+28(SB)/4, $7
DATA packLanes<>+32(SB)/4, $8
DATA packLanes<>+36(SB)/4, $9
DATA packLanes<>+40(SB)/4, $10
DATA packLanes<>+44(SB)/4, $11
DATA packLanes<>+48(SB)/4, $12
DATA packLanes<>+52(SB)/4, $13
DATA packLanes<>+56(SB)/4, $14
DATA packLanes<>+60(SB)/4, $15
GLOBL packLanes<>(SB), RODATA|NOPTR, $64

// func spackRunsAVX512(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)
TEXT ·spackRunsAVX512(SB), NOSPLIT, $0-84
	MOVQ    dst_base+0(FP), DI
	MOVQ    w+24(FP), R8
	MOVQ    src_base+32(FP), SI
	MOVQ    ld+56(FP), R9
	MOVQ    n+72(FP), R10
	VBROADCASTSS alpha+80(FP), Z31
	MOVQ    R10, CX
	CMPQ    CX, $16
	JLE     m1a
	MOVQ    $16, CX
m1a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K1
	MOVQ    R10, CX
	SUBQ    $16, CX
	JGE     m1b
	XORQ    CX, CX
m1b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K2
	MOVQ    R8, CX
	CMPQ    CX, $16
	JLE     m3a
	MOVQ    $16, CX
m3a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K3
	MOVQ    R8, CX
	SUBQ    $16, CX
	JGE     m3b
	XORQ    CX, CX
m3b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K4
	SHLQ    $2, R9
	MOVQ    R8, R11
	SHLQ    $2, R11
	MOVQ    kc+64(FP), CX
loop:
	TESTQ   CX, CX
	JZ      done
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMULPS.Z Z31, Z0, K1, Z0
	VMULPS.Z Z31, Z1, K2, Z1
	VMOVUPS  Z0, K3, (DI)
	VMOVUPS  Z1, K4, 64(DI)
	ADDQ    R9, SI
	ADDQ    R11, DI
	DECQ    CX
	JMP     loop
done:
	VZEROUPPER
	RET

// func spackInterleaveAVX512(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)
TEXT ·spackInterleaveAVX512(SB), NOSPLIT, $0-84
	MOVQ    dst_base+0(FP), DI
	MOVQ    w+24(FP), R8
	MOVQ    src_base+32(FP), SI
	MOVQ    ld+56(FP), R9
	MOVQ    n+72(FP), R10
	VBROADCASTSS alpha+80(FP), Z31
	VPBROADCASTD R9, Z29
	VMOVDQU32 packLanes<>(SB), Z30
	VPMULLD Z29, Z30, Z30
	MOVQ    R9, BX
	SHLQ    $4, BX
	VPBROADCASTD BX, Z27
	VPADDD  Z27, Z30, Z28
	MOVQ    R10, CX
	CMPQ    CX, $16
	JLE     m1a
	MOVQ    $16, CX
m1a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K1
	MOVQ    R10, CX
	SUBQ    $16, CX
	JGE     m1b
	XORQ    CX, CX
m1b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K2
	MOVQ    R8, CX
	CMPQ    CX, $16
	JLE     m3a
	MOVQ    $16, CX
m3a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K3
	MOVQ    R8, CX
	SUBQ    $16, CX
	JGE     m3b
	XORQ    CX, CX
m3b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K4
	MOVQ    R8, R11
	SHLQ    $2, R11
	MOVQ    kc+64(FP), CX
	CMPQ    R10, $16
	JG      loop
	VPXORD  Z1, Z1, Z1
half:
	TESTQ   CX, CX
	JZ      done
	KMOVW   K1, K5
	VPXORD  Z0, Z0, Z0
	VGATHERDPS (SI)(Z30*4), K5, Z0
	VMULPS.Z Z31, Z0, K1, Z0
	VMOVUPS  Z0, K3, (DI)
	VMOVUPS  Z1, K4, 64(DI)
	ADDQ    $4, SI
	ADDQ    R11, DI
	DECQ    CX
	JMP     half
loop:
	TESTQ   CX, CX
	JZ      done
	KMOVW   K1, K5
	VPXORD  Z0, Z0, Z0
	VGATHERDPS (SI)(Z30*4), K5, Z0
	KMOVW   K2, K6
	VPXORD  Z1, Z1, Z1
	VGATHERDPS (SI)(Z28*4), K6, Z1
	VMULPS.Z Z31, Z0, K1, Z0
	VMULPS.Z Z31, Z1, K2, Z1
	VMOVUPS  Z0, K3, (DI)
	VMOVUPS  Z1, K4, 64(DI)
	ADDQ    $4, SI
	ADDQ    R11, DI
	DECQ    CX
	JMP     loop
done:
	VZEROUPPER
	RET

// func dpackRunsAVX512(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)
TEXT ·dpackRunsAVX512(SB), NOSPLIT, $0-88
	MOVQ    dst_base+0(FP), DI
	MOVQ    w+24(FP), R8
	MOVQ    src_base+32(FP), SI
	MOVQ    ld+56(FP), R9
	MOVQ    n+72(FP), R10
	VBROADCASTSD alpha+80(FP), Z31
	MOVQ    R10, CX
	CMPQ    CX, $8
	JLE     m1a
	MOVQ    $8, CX
m1a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K1
	MOVQ    R10, CX
	SUBQ    $8, CX
	JGE     m1b
	XORQ    CX, CX
m1b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K2
	MOVQ    R8, CX
	CMPQ    CX, $8
	JLE     m3a
	MOVQ    $8, CX
m3a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K3
	MOVQ    R8, CX
	SUBQ    $8, CX
	JGE     m3b
	XORQ    CX, CX
m3b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K4
	SHLQ    $3, R9
	MOVQ    R8, R11
	SHLQ    $3, R11
	MOVQ    kc+64(FP), CX
loop:
	TESTQ   CX, CX
	JZ      done
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z 64(SI), K2, Z1
	VMULPD.Z Z31, Z0, K1, Z0
	VMULPD.Z Z31, Z1, K2, Z1
	VMOVUPD  Z0, K3, (DI)
	VMOVUPD  Z1, K4, 64(DI)
	ADDQ    R9, SI
	ADDQ    R11, DI
	DECQ    CX
	JMP     loop
done:
	VZEROUPPER
	RET

// func dpackInterleaveAVX512(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)
TEXT ·dpackInterleaveAVX512(SB), NOSPLIT, $0-88
	MOVQ    dst_base+0(FP), DI
	MOVQ    w+24(FP), R8
	MOVQ    src_base+32(FP), SI
	MOVQ    ld+56(FP), R9
	MOVQ    n+72(FP), R10
	VBROADCASTSD alpha+80(FP), Z31
	VPBROADCASTD R9, Z29
	VMOVDQU32 packLanes<>(SB), Z30
	VPMULLD Z29, Z30, Z30
	MOVQ    R9, BX
	SHLQ    $3, BX
	VPBROADCASTD BX, Z27
	VPADDD  Z27, Z30, Z28
	MOVQ    R10, CX
	CMPQ    CX, $8
	JLE     m1a
	MOVQ    $8, CX
m1a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K1
	MOVQ    R10, CX
	SUBQ    $8, CX
	JGE     m1b
	XORQ    CX, CX
m1b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K2
	MOVQ    R8, CX
	CMPQ    CX, $8
	JLE     m3a
	MOVQ    $8, CX
m3a:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K3
	MOVQ    R8, CX
	SUBQ    $8, CX
	JGE     m3b
	XORQ    CX, CX
m3b:
	MOVL    $1, AX
	SHLL    CX, AX
	DECL    AX
	KMOVW   AX, K4
	MOVQ    R8, R11
	SHLQ    $3, R11
	MOVQ    kc+64(FP), CX
	CMPQ    R10, $8
	JG      loop
	VPXORD  Z1, Z1, Z1
half:
	TESTQ   CX, CX
	JZ      done
	KMOVW   K1, K5
	VPXORD  Z0, Z0, Z0
	VGATHERDPD (SI)(Y30*8), K5, Z0
	VMULPD.Z Z31, Z0, K1, Z0
	VMOVUPD  Z0, K3, (DI)
	VMOVUPD  Z1, K4, 64(DI)
	ADDQ    $8, SI
	ADDQ    R11, DI
	DECQ    CX
	JMP     half
loop:
	TESTQ   CX, CX
	JZ      done
	KMOVW   K1, K5
	VPXORD  Z0, Z0, Z0
	VGATHERDPD (SI)(Y30*8), K5, Z0
	KMOVW   K2, K6
	VPXORD  Z1, Z1, Z1
	VGATHERDPD (SI)(Y28*8), K6, Z1
	VMULPD.Z Z31, Z0, K1, Z0
	VMULPD.Z Z31, Z1, K2, Z1
	VMOVUPD  Z0, K3, (DI)
	VMOVUPD  Z1, K4, 64(DI)
	ADDQ    $8, SI
	ADDQ    R11, DI
	DECQ    CX
	JMP     loop
done:
	VZEROUPPER
	RET
