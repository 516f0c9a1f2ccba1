package asm

// SgemmKernel returns the active tier's float32 GEMM micro-kernel.
func SgemmKernel() GemmKernel[float32] { return k.sgemm }

// DgemmKernel returns the active tier's float64 GEMM micro-kernel.
func DgemmKernel() GemmKernel[float64] { return k.dgemm }
