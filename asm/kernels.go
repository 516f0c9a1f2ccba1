package asm

// A GemmKernel is a GEMM micro-kernel: it adds the product of a packed
// MR×k sliver of A and a packed k×NR sliver of B to an MR×NR tile of C.
// a holds k groups of MR values (column p of the sliver at a[p*MR:]), b holds
// k groups of NR values (row p at b[p*NR:]), and the tile is
// c[i*ldc+j], i < MR, j < NR.
type GemmKernel[T Float] struct {
	MR, NR int
	Fn     func(k int, a, b, c []T, ldc int)
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
