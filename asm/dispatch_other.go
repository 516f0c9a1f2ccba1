//go:build !amd64 || noasm

package asm

// maxBuiltTier is the strongest tier this build has kernels for.
const maxBuiltTier = Generic

func registerAsmTiers() {}
