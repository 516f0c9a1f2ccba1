//go:build amd64 && !noasm

#include "textflag.h"

// Row-broadcast affine map (SaffineRows) for the avx512 tier: each row of
// x goes through 16-lane steps and an opmask tail (K1 = the low cols%16
// lanes; masked-off lanes load as zero and are never stored). One loop per
// operand combination (F: scale and shift, M: scale, A: shift), chosen
// once, so the column loop carries no branch.

// func srowAffineAVX512(dst, x []float32, cols int, scale, shift []float32)
TEXT ·srowAffineAVX512(SB), NOSPLIT, $0-104
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

	// K1 = the low cols%16 bits.
	MOVQ        R12, CX
	ANDQ        $15, CX
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX
	KMOVW       AX, K1
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
	CMPQ        CX, $16
	JL          tailF
	VMOVUPS     (SI)(AX*1), Z0
	VMOVUPS     (R8)(AX*1), Z1
	VFMADD213PS (R9)(AX*1), Z1, Z0
	VMOVUPS     Z0, (DI)(AX*1)
	ADDQ        $64, AX
	SUBQ        $16, CX
	JMP         colF

tailF:
	TESTQ       CX, CX
	JZ          nextF
	VMOVUPS.Z   (SI)(AX*1), K1, Z0
	VMOVUPS.Z   (R8)(AX*1), K1, Z1
	VMOVUPS.Z   (R9)(AX*1), K1, Z2
	VFMADD213PS Z2, Z1, Z0
	VMOVUPS     Z0, K1, (DI)(AX*1)

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
	CMPQ        CX, $16
	JL          tailM
	VMOVUPS     (SI)(AX*1), Z0
	VMULPS      (R8)(AX*1), Z0, Z0
	VMOVUPS     Z0, (DI)(AX*1)
	ADDQ        $64, AX
	SUBQ        $16, CX
	JMP         colM

tailM:
	TESTQ       CX, CX
	JZ          nextM
	VMOVUPS.Z   (SI)(AX*1), K1, Z0
	VMOVUPS.Z   (R8)(AX*1), K1, Z1
	VMULPS      Z1, Z0, Z0
	VMOVUPS     Z0, K1, (DI)(AX*1)

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
	CMPQ        CX, $16
	JL          tailA
	VMOVUPS     (SI)(AX*1), Z0
	VADDPS      (R9)(AX*1), Z0, Z0
	VMOVUPS     Z0, (DI)(AX*1)
	ADDQ        $64, AX
	SUBQ        $16, CX
	JMP         colA

tailA:
	TESTQ       CX, CX
	JZ          nextA
	VMOVUPS.Z   (SI)(AX*1), K1, Z0
	VMOVUPS.Z   (R9)(AX*1), K1, Z2
	VADDPS      Z2, Z0, Z0
	VMOVUPS     Z0, K1, (DI)(AX*1)

nextA:
	LEAQ        (SI)(R12*4), SI
	LEAQ        (DI)(R12*4), DI
	SUBQ        R12, BX
	JMP         rowA

done:
	VZEROUPPER
	RET
