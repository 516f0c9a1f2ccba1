//go:build amd64 && !noasm

package asm

// Assembly activation kernels (none yet: every tier uses the twins).

func activationAVX2(t *kernels) {}

func activationAVX512(t *kernels) {}
