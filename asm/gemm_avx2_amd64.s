//go:build amd64 && !noasm

#include "textflag.h"

// GEMM micro-kernels for the avx2 tier: C[MR×NR] += A·B from a packed
// MR×k sliver of A (column p at a+p·MR) and a packed k×NR sliver of B (row p
// at b+p·NR). Tiles: float32 6×16, float64 6×8, i.e. 6 rows × 2 ymm.
//
// Why this shape: with 16 ymm registers, 12 accumulators + 2 B vectors + 2
// broadcast registers is the largest tile that fits, and 12 independent FMA
// chains cover the 4-cycle latency on both FMA ports. (4×24 measured the
// same; 6×16 packs A in groups of 6 like BLIS's Haswell kernel.) The two
// broadcast registers alternate so consecutive rows do not serialise on one
// register. k is unrolled by 4.
//
// As in the avx512 kernels, accumulators start at -0 (the identity of IEEE
// addition), C rows are prefetched at entry and A 16 k steps ahead.

// ---- float32, 6×16 ---------------------------------------------------------

// SROW broadcasts a[aoff] into bc and adds bc·(Y12, Y13) to one row.
#define SROW(aoff, bc, acc0, acc1) \
	VBROADCASTSS aoff(SI), bc; \
	VFMADD231PS Y12, bc, acc0; \
	VFMADD231PS Y13, bc, acc1

// SSTEP is one k step: row p of B at DI+boff, column p of A at SI+aoff.
#define SSTEP(aoff, boff) \
	VMOVUPS boff(DI), Y12; \
	VMOVUPS (boff+32)(DI), Y13; \
	SROW((aoff+0), Y14, Y0, Y1); \
	SROW((aoff+4), Y15, Y2, Y3); \
	SROW((aoff+8), Y14, Y4, Y5); \
	SROW((aoff+12), Y15, Y6, Y7); \
	SROW((aoff+16), Y14, Y8, Y9); \
	SROW((aoff+20), Y15, Y10, Y11)

// SSTORE adds one row of accumulators to C at DX and moves DX to the next row.
#define SSTORE(acc0, acc1) \
	VADDPS (DX), acc0, acc0; \
	VADDPS 32(DX), acc1, acc1; \
	VMOVUPS acc0, (DX); \
	VMOVUPS acc1, 32(DX); \
	ADDQ R8, DX

// PFROW64 prefetches the 64-byte C row at R9 (two lines if unaligned) and
// moves R9 to the next row.
#define PFROW64 \
	PREFETCHT0 (R9); \
	PREFETCHT0 63(R9); \
	ADDQ R8, R9

// func sgemmKern6x16AVX2(k int, a, b, c *float32, ldc int)
TEXT ·sgemmKern6x16AVX2(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8        // row stride in bytes

	MOVQ DX, R9
	PFROW64
	PFROW64
	PFROW64
	PFROW64
	PFROW64
	PFROW64

	MOVL         $0x80000000, AX // -0
	VMOVD        AX, X0
	VBROADCASTSS X0, Y0
	VMOVAPS      Y0, Y1
	VMOVAPS      Y0, Y2
	VMOVAPS      Y0, Y3
	VMOVAPS      Y0, Y4
	VMOVAPS      Y0, Y5
	VMOVAPS      Y0, Y6
	VMOVAPS      Y0, Y7
	VMOVAPS      Y0, Y8
	VMOVAPS      Y0, Y9
	VMOVAPS      Y0, Y10
	VMOVAPS      Y0, Y11

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   stail

sloop4:
	// 4 k steps = 96 bytes of A and 256 bytes of B.
	PREFETCHT0 384(SI)
	PREFETCHT0 448(SI)
	SSTEP(0, 0)
	SSTEP(24, 64)
	SSTEP(48, 128)
	SSTEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  sloop4

stail:
	ANDQ $3, CX
	JZ   sstore

sloop1:
	SSTEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  sloop1

sstore:
	SSTORE(Y0, Y1)
	SSTORE(Y2, Y3)
	SSTORE(Y4, Y5)
	SSTORE(Y6, Y7)
	SSTORE(Y8, Y9)
	SSTORE(Y10, Y11)
	VZEROUPPER
	RET

// ---- float64, 6×8 ----------------------------------------------------------

// DROW broadcasts a[aoff] into bc and adds bc·(Y12, Y13) to one row.
#define DROW(aoff, bc, acc0, acc1) \
	VBROADCASTSD aoff(SI), bc; \
	VFMADD231PD Y12, bc, acc0; \
	VFMADD231PD Y13, bc, acc1

// DSTEP is one k step: row p of B at DI+boff, column p of A at SI+aoff.
#define DSTEP(aoff, boff) \
	VMOVUPD boff(DI), Y12; \
	VMOVUPD (boff+32)(DI), Y13; \
	DROW((aoff+0), Y14, Y0, Y1); \
	DROW((aoff+8), Y15, Y2, Y3); \
	DROW((aoff+16), Y14, Y4, Y5); \
	DROW((aoff+24), Y15, Y6, Y7); \
	DROW((aoff+32), Y14, Y8, Y9); \
	DROW((aoff+40), Y15, Y10, Y11)

// DSTORE adds one row of accumulators to C at DX and moves DX to the next row.
#define DSTORE(acc0, acc1) \
	VADDPD (DX), acc0, acc0; \
	VADDPD 32(DX), acc1, acc1; \
	VMOVUPD acc0, (DX); \
	VMOVUPD acc1, 32(DX); \
	ADDQ R8, DX

// func dgemmKern6x8AVX2(k int, a, b, c *float64, ldc int)
TEXT ·dgemmKern6x8AVX2(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8        // row stride in bytes

	MOVQ DX, R9
	PFROW64
	PFROW64
	PFROW64
	PFROW64
	PFROW64
	PFROW64

	MOVQ         $0x8000000000000000, AX // -0
	VMOVQ        AX, X0
	VBROADCASTSD X0, Y0
	VMOVAPD      Y0, Y1
	VMOVAPD      Y0, Y2
	VMOVAPD      Y0, Y3
	VMOVAPD      Y0, Y4
	VMOVAPD      Y0, Y5
	VMOVAPD      Y0, Y6
	VMOVAPD      Y0, Y7
	VMOVAPD      Y0, Y8
	VMOVAPD      Y0, Y9
	VMOVAPD      Y0, Y10
	VMOVAPD      Y0, Y11

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   dtail

dloop4:
	// 4 k steps = 192 bytes of A (3 lines) and 256 bytes of B.
	PREFETCHT0 768(SI)
	PREFETCHT0 832(SI)
	PREFETCHT0 896(SI)
	DSTEP(0, 0)
	DSTEP(48, 64)
	DSTEP(96, 128)
	DSTEP(144, 192)
	ADDQ $192, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	DSTEP(0, 0)
	ADDQ $48, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  dloop1

dstore:
	DSTORE(Y0, Y1)
	DSTORE(Y2, Y3)
	DSTORE(Y4, Y5)
	DSTORE(Y6, Y7)
	DSTORE(Y8, Y9)
	DSTORE(Y10, Y11)
	VZEROUPPER
	RET
