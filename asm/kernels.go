package asm

// A GemmKernel is a GEMM micro-kernel with an MR×NR tile: Fn computes one
// GemmPanel, a column sliver of C up to NR wide, MR rows at a time.
type GemmKernel[T Float] struct {
	MR, NR int
	Fn     func(p *GemmPanel[T])
}

// The kernel tables, one per tier (type kernels, generated from the kernel
// list of asm/_gen into kernels_gen.go). The generic tier holds the twins;
// each assembly tier starts from a copy of the next weaker tier's table and
// replaces the kernels it implements (registerAsmTiers, kernels_gen_amd64.go).
var (
	tables [numTiers]*kernels
	k      *kernels // the active tier's table
)

func useTier(t SIMDTier) { k = tables[t] }

// buildTables fills tables; it runs once, before the tier is chosen.
func buildTables() {
	tables[Generic] = genericKernels()
	registerAsmTiers()
}
