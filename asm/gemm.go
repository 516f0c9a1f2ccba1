package asm

import "fmt"

// SgemmKernel returns the active tier's float32 GEMM micro-kernel.
func SgemmKernel() GemmKernel[float32] { return k.sgemm }

// DgemmKernel returns the active tier's float64 GEMM micro-kernel.
func DgemmKernel() GemmKernel[float64] { return k.dgemm }

// checkGemmKernelArgs panics unless a micro-kernel call with an mr×nr tile
// and depth k ≥ 1 stays inside its slices (lengths na, nb, nc) with row
// stride ldc. A failure is a bug in the caller (the GEMM driver), not bad
// user input.
func checkGemmKernelArgs(mr, nr, k, na, nb, nc, ldc int) {
	if na < k*mr || nb < k*nr || ldc < nr || nc < (mr-1)*ldc+nr {
		panicGemmKernelArgs(mr, nr, k, na, nb, nc, ldc)
	}
}

// panicGemmKernelArgs is kept out of line so checkGemmKernelArgs inlines.
//
//go:noinline
func panicGemmKernelArgs(mr, nr, k, na, nb, nc, ldc int) {
	panic(fmt.Sprintf("asm: %d×%d GEMM kernel with k=%d, ldc=%d: len(a)=%d (need %d), len(b)=%d (need %d), len(c)=%d (need %d), ldc must be ≥ %d",
		mr, nr, k, ldc, na, k*mr, nb, k*nr, nc, (mr-1)*ldc+nr, nr))
}
