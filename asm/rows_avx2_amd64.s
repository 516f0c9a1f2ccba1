//go:build amd64 && !noasm

#include "textflag.h"

// Row-broadcast affine map (SaffineRows) for the avx2 tier: each row of
// x goes through 8-lane steps and a VMASKMOVPS tail (Y12 = the low cols%8
// lanes; masked-off memory is not touched). One loop per operand
// combination (F: scale and shift, M: scale, A: shift), chosen once, so
// the column loop carries no branch.

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

// func srowAffineAVX2(dst, x []float32, cols int, scale, shift []float32)
TEXT ·srowAffineAVX2(SB), NOSPLIT, $0-104
	MOVQ        dst_base+0(FP), DI
	MOVQ        x_base+24(FP), SI
	MOVQ        x_len+32(FP), BX
	MOVQ        cols+48(FP), R12
	MOVQ        scale_base+56(FP), R8
	MOVQ        scale_len+64(FP), R10
	MOVQ        shift_base+80(FP), R9
	MOVQ        shift_len+88(FP), R11
	TESTQ       R12, R12
	JZ          done

	// Y12 = all ones in the low cols%8 lanes.
	MOVQ        R12, CX
	ANDQ        $7, CX
	VMOVD       CX, X12
	VPBROADCASTD X12, Y12
	VPCMPGTD    iota<>(SB), Y12, Y12
	TESTQ       R10, R10
	JZ          rowA
	TESTQ       R11, R11
	JZ          rowM

rowF:
	CMPQ        BX, R12
	JL          done
	MOVQ        R12, CX
	XORQ        AX, AX

colF:
	CMPQ        CX, $8
	JL          tailF
	VMOVUPS     (SI)(AX*1), Y0
	VMOVUPS     (R8)(AX*1), Y1
	VMOVUPS     (R9)(AX*1), Y2
	VFMADD213PS Y2, Y1, Y0
	VMOVUPS     Y0, (DI)(AX*1)
	ADDQ        $32, AX
	SUBQ        $8, CX
	JMP         colF

tailF:
	TESTQ       CX, CX
	JZ          nextF
	VMASKMOVPS  (SI)(AX*1), Y12, Y0
	VMASKMOVPS  (R8)(AX*1), Y12, Y1
	VMASKMOVPS  (R9)(AX*1), Y12, Y2
	VFMADD213PS Y2, Y1, Y0
	VMASKMOVPS  Y0, Y12, (DI)(AX*1)

nextF:
	LEAQ        (SI)(R12*4), SI
	LEAQ        (DI)(R12*4), DI
	SUBQ        R12, BX
	JMP         rowF

rowM:
	CMPQ        BX, R12
	JL          done
	MOVQ        R12, CX
	XORQ        AX, AX

colM:
	CMPQ        CX, $8
	JL          tailM
	VMOVUPS     (SI)(AX*1), Y0
	VMOVUPS     (R8)(AX*1), Y1
	VMULPS      Y1, Y0, Y0
	VMOVUPS     Y0, (DI)(AX*1)
	ADDQ        $32, AX
	SUBQ        $8, CX
	JMP         colM

tailM:
	TESTQ       CX, CX
	JZ          nextM
	VMASKMOVPS  (SI)(AX*1), Y12, Y0
	VMASKMOVPS  (R8)(AX*1), Y12, Y1
	VMULPS      Y1, Y0, Y0
	VMASKMOVPS  Y0, Y12, (DI)(AX*1)

nextM:
	LEAQ        (SI)(R12*4), SI
	LEAQ        (DI)(R12*4), DI
	SUBQ        R12, BX
	JMP         rowM

rowA:
	CMPQ        BX, R12
	JL          done
	MOVQ        R12, CX
	XORQ        AX, AX

colA:
	CMPQ        CX, $8
	JL          tailA
	VMOVUPS     (SI)(AX*1), Y0
	VMOVUPS     (R9)(AX*1), Y2
	VADDPS      Y2, Y0, Y0
	VMOVUPS     Y0, (DI)(AX*1)
	ADDQ        $32, AX
	SUBQ        $8, CX
	JMP         colA

tailA:
	TESTQ       CX, CX
	JZ          nextA
	VMASKMOVPS  (SI)(AX*1), Y12, Y0
	VMASKMOVPS  (R9)(AX*1), Y12, Y2
	VADDPS      Y2, Y0, Y0
	VMASKMOVPS  Y0, Y12, (DI)(AX*1)

nextA:
	LEAQ        (SI)(R12*4), SI
	LEAQ        (DI)(R12*4), DI
	SUBQ        R12, BX
	JMP         rowA

done:
	VZEROUPPER
	RET
