//go:build amd64 && !noasm

#include "textflag.h"

// GEMM micro-kernels for the avx512 tier: C[MR×NR] += A·B from a packed
// MR×k sliver of A (column p at a+p·MR) and a packed k×NR sliver of B (row p
// at b+p·NR). Tiles: float32 12×32, float64 12×16, i.e. 12 rows × 2 zmm.
//
// Why this shape: 24 zmm accumulators hide the 4-cycle FMA latency on both
// FMA ports with room to spare, and leave 8 registers, 4 of which hold two
// B rows (the k loop is unrolled by 4 and alternates B registers so
// consecutive steps do not wait on each other's loads). A is read with embedded-broadcast FMAs
// (.BCST), so a k step costs 2 B loads and 24 FMAs, and no broadcast
// register. Measured on the target box against 8×32 and 14×32 (and
// register broadcasts, unroll 1/2/4, prefetch distances for A and B): all
// reach ~97% of the FMA peak with the data in L1 on a quiet machine; in the
// phases when the VM's neighbours load the core's memory side (they come
// and go; the register-only peak loop does not notice them), 12 rows kept
// 82-88% where 8 rows fell to 74-81%, and register broadcasts were up to 14
// points slower than .BCST for float64. 14 rows was no faster than 12 and
// leaves no spare register.
//
// Accumulators start at -0, not +0: -0 is the identity of IEEE addition, so
// c + Σ products keeps a -0 in C when every term is ±0 (as the pure-Go twin
// does), and k = 0 would leave C bit-for-bit unchanged.
//
// Prefetching: C rows at entry (they are needed only at the end, so their
// latency hides behind the k loop), A 16 k steps ahead (it streams from L2 in
// the blocked driver; B stays in L1). The B sliver should be 64-byte aligned:
// an unaligned zmm load splits a cache line.

// ---- float32, 12×32 --------------------------------------------------------

// SROW adds a[aoff]·(b0, b1) to one row's accumulator pair.
#define SROW(aoff, b0, b1, acc0, acc1) \
	VFMADD231PS.BCST aoff(SI), b0, acc0; \
	VFMADD231PS.BCST aoff(SI), b1, acc1

// SSTEP is one k step: row p of B at DI+boff, column p of A at SI+aoff.
#define SSTEP(aoff, boff, b0, b1) \
	VMOVUPS boff(DI), b0; \
	VMOVUPS (boff+64)(DI), b1; \
	SROW((aoff+0), b0, b1, Z0, Z1); \
	SROW((aoff+4), b0, b1, Z2, Z3); \
	SROW((aoff+8), b0, b1, Z4, Z5); \
	SROW((aoff+12), b0, b1, Z6, Z7); \
	SROW((aoff+16), b0, b1, Z8, Z9); \
	SROW((aoff+20), b0, b1, Z10, Z11); \
	SROW((aoff+24), b0, b1, Z12, Z13); \
	SROW((aoff+28), b0, b1, Z14, Z15); \
	SROW((aoff+32), b0, b1, Z16, Z17); \
	SROW((aoff+36), b0, b1, Z18, Z19); \
	SROW((aoff+40), b0, b1, Z20, Z21); \
	SROW((aoff+44), b0, b1, Z22, Z23)

// SSTORE adds one row of accumulators to C at DX and moves DX to the next row.
#define SSTORE(acc0, acc1) \
	VADDPS (DX), acc0, acc0; \
	VADDPS 64(DX), acc1, acc1; \
	VMOVUPS acc0, (DX); \
	VMOVUPS acc1, 64(DX); \
	ADDQ R8, DX

// PFROW128 prefetches the 128-byte C row at R9 (three lines if unaligned)
// and moves R9 to the next row.
#define PFROW128 \
	PREFETCHT0 (R9); \
	PREFETCHT0 64(R9); \
	PREFETCHT0 127(R9); \
	ADDQ R8, R9

// func sgemmKern12x32AVX512(k int, a, b, c *float32, ldc int)
TEXT ·sgemmKern12x32AVX512(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8        // row stride in bytes

	MOVQ DX, R9
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128

	MOVL         $0x80000000, AX // -0
	VPBROADCASTD AX, Z0
	VMOVAPS      Z0, Z1
	VMOVAPS      Z0, Z2
	VMOVAPS      Z0, Z3
	VMOVAPS      Z0, Z4
	VMOVAPS      Z0, Z5
	VMOVAPS      Z0, Z6
	VMOVAPS      Z0, Z7
	VMOVAPS      Z0, Z8
	VMOVAPS      Z0, Z9
	VMOVAPS      Z0, Z10
	VMOVAPS      Z0, Z11
	VMOVAPS      Z0, Z12
	VMOVAPS      Z0, Z13
	VMOVAPS      Z0, Z14
	VMOVAPS      Z0, Z15
	VMOVAPS      Z0, Z16
	VMOVAPS      Z0, Z17
	VMOVAPS      Z0, Z18
	VMOVAPS      Z0, Z19
	VMOVAPS      Z0, Z20
	VMOVAPS      Z0, Z21
	VMOVAPS      Z0, Z22
	VMOVAPS      Z0, Z23

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   stail

sloop4:
	// 4 k steps = 192 bytes of A (3 lines) and 512 bytes of B.
	PREFETCHT0 768(SI)
	PREFETCHT0 832(SI)
	PREFETCHT0 896(SI)
	SSTEP(0, 0, Z24, Z25)
	SSTEP(48, 128, Z26, Z27)
	SSTEP(96, 256, Z24, Z25)
	SSTEP(144, 384, Z26, Z27)
	ADDQ $192, SI
	ADDQ $512, DI
	DECQ BX
	JNZ  sloop4

stail:
	ANDQ $3, CX
	JZ   sstore

sloop1:
	SSTEP(0, 0, Z24, Z25)
	ADDQ $48, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  sloop1

sstore:
	SSTORE(Z0, Z1)
	SSTORE(Z2, Z3)
	SSTORE(Z4, Z5)
	SSTORE(Z6, Z7)
	SSTORE(Z8, Z9)
	SSTORE(Z10, Z11)
	SSTORE(Z12, Z13)
	SSTORE(Z14, Z15)
	SSTORE(Z16, Z17)
	SSTORE(Z18, Z19)
	SSTORE(Z20, Z21)
	SSTORE(Z22, Z23)
	VZEROUPPER
	RET

// ---- float64, 12×16 --------------------------------------------------------

// DROW adds a[aoff]·(b0, b1) to one row's accumulator pair.
#define DROW(aoff, b0, b1, acc0, acc1) \
	VFMADD231PD.BCST aoff(SI), b0, acc0; \
	VFMADD231PD.BCST aoff(SI), b1, acc1

// DSTEP is one k step: row p of B at DI+boff, column p of A at SI+aoff.
#define DSTEP(aoff, boff, b0, b1) \
	VMOVUPD boff(DI), b0; \
	VMOVUPD (boff+64)(DI), b1; \
	DROW((aoff+0), b0, b1, Z0, Z1); \
	DROW((aoff+8), b0, b1, Z2, Z3); \
	DROW((aoff+16), b0, b1, Z4, Z5); \
	DROW((aoff+24), b0, b1, Z6, Z7); \
	DROW((aoff+32), b0, b1, Z8, Z9); \
	DROW((aoff+40), b0, b1, Z10, Z11); \
	DROW((aoff+48), b0, b1, Z12, Z13); \
	DROW((aoff+56), b0, b1, Z14, Z15); \
	DROW((aoff+64), b0, b1, Z16, Z17); \
	DROW((aoff+72), b0, b1, Z18, Z19); \
	DROW((aoff+80), b0, b1, Z20, Z21); \
	DROW((aoff+88), b0, b1, Z22, Z23)

// DSTORE adds one row of accumulators to C at DX and moves DX to the next row.
#define DSTORE(acc0, acc1) \
	VADDPD (DX), acc0, acc0; \
	VADDPD 64(DX), acc1, acc1; \
	VMOVUPD acc0, (DX); \
	VMOVUPD acc1, 64(DX); \
	ADDQ R8, DX

// func dgemmKern12x16AVX512(k int, a, b, c *float64, ldc int)
TEXT ·dgemmKern12x16AVX512(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8        // row stride in bytes

	MOVQ DX, R9
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128
	PFROW128

	MOVQ         $0x8000000000000000, AX // -0
	VPBROADCASTQ AX, Z0
	VMOVAPD      Z0, Z1
	VMOVAPD      Z0, Z2
	VMOVAPD      Z0, Z3
	VMOVAPD      Z0, Z4
	VMOVAPD      Z0, Z5
	VMOVAPD      Z0, Z6
	VMOVAPD      Z0, Z7
	VMOVAPD      Z0, Z8
	VMOVAPD      Z0, Z9
	VMOVAPD      Z0, Z10
	VMOVAPD      Z0, Z11
	VMOVAPD      Z0, Z12
	VMOVAPD      Z0, Z13
	VMOVAPD      Z0, Z14
	VMOVAPD      Z0, Z15
	VMOVAPD      Z0, Z16
	VMOVAPD      Z0, Z17
	VMOVAPD      Z0, Z18
	VMOVAPD      Z0, Z19
	VMOVAPD      Z0, Z20
	VMOVAPD      Z0, Z21
	VMOVAPD      Z0, Z22
	VMOVAPD      Z0, Z23

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   dtail

dloop4:
	// 4 k steps = 384 bytes of A (6 lines) and 512 bytes of B.
	PREFETCHT0 1536(SI)
	PREFETCHT0 1600(SI)
	PREFETCHT0 1664(SI)
	PREFETCHT0 1728(SI)
	PREFETCHT0 1792(SI)
	PREFETCHT0 1856(SI)
	DSTEP(0, 0, Z24, Z25)
	DSTEP(96, 128, Z26, Z27)
	DSTEP(192, 256, Z24, Z25)
	DSTEP(288, 384, Z26, Z27)
	ADDQ $384, SI
	ADDQ $512, DI
	DECQ BX
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	DSTEP(0, 0, Z24, Z25)
	ADDQ $96, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  dloop1

dstore:
	DSTORE(Z0, Z1)
	DSTORE(Z2, Z3)
	DSTORE(Z4, Z5)
	DSTORE(Z6, Z7)
	DSTORE(Z8, Z9)
	DSTORE(Z10, Z11)
	DSTORE(Z12, Z13)
	DSTORE(Z14, Z15)
	DSTORE(Z16, Z17)
	DSTORE(Z18, Z19)
	DSTORE(Z20, Z21)
	DSTORE(Z22, Z23)
	VZEROUPPER
	RET
