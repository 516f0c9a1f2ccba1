//go:build amd64 && !noasm

package asm

// Assembly GEMM micro-kernels (none yet: every tier uses the twins).

func gemmAVX2(t *kernels) {}

func gemmAVX512(t *kernels) {}
