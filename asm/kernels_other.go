//go:build !amd64 || noasm

package asm

// maxBuiltTier is the strongest tier this build has kernels for: without
// assembly (kernels_gen_amd64.go), the generic tier.
const maxBuiltTier = Generic

func registerAsmTiers() {}
