package asm

// kernels is one tier's implementation of every kernel. Tiers start from a
// copy of the next weaker tier and replace what they accelerate.
type kernels struct {
	sdot    func(x, y []float32) float32
	ddot    func(x, y []float64) float64
	saxpy   func(alpha float32, x, y []float32)
	daxpy   func(alpha float64, x, y []float64)
	sscal   func(alpha float32, x []float32)
	dscal   func(alpha float64, x []float64)
	sadd    func(dst, a, b []float32)
	dadd    func(dst, a, b []float64)
	ssub    func(dst, a, b []float32)
	dsub    func(dst, a, b []float64)
	smul    func(dst, a, b []float32)
	dmul    func(dst, a, b []float64)
	ssum    func(x []float32) float32
	dsum    func(x []float64) float64
	smaxabs func(x []float32) float32
	dmaxabs func(x []float64) float64

	slincomb func(dst []float32, beta float32, coef, src []float32, ld int)
	dlincomb func(dst []float64, beta float64, coef, src []float64, ld int)

	sexp               func(dst, x []float32)
	sleakyReLU         func(dst, x []float32, slope float32)
	sleakyReLUBackward func(dx, x, dy []float32, slope float32) float32
	ssigmoid           func(dst, x []float32)
	ssilu              func(dst, x []float32)
	ssoftplus          func(dst, x []float32)
	stanh              func(dst, x []float32)

	spackRuns       func(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)
	dpackRuns       func(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)
	spackInterleave func(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)
	dpackInterleave func(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)

	sgemm GemmKernel[float32]
	dgemm GemmKernel[float64]

	sadam func(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32)

	sfma                  func(dst, a, b, c []float32)
	smaskedDot            func(x, a, b []float32) float32
	sleakyReLUBackwardDot func(dx, x, dy, z []float32, slope float32) float32
	ssiluDerivs           func(d1, d2, x, s, dy []float32)
	squadDerivs           func(d1, d2, y, dy []float32, a, b, c, p, q float32)
	srowAffine            func(dst, x []float32, cols int, scale, shift []float32)
}

// A GemmKernel is a GEMM micro-kernel: it adds the product of a packed
// MR×k sliver of A and a packed k×NR sliver of B to an MR×NR tile of C.
// a holds k groups of MR values (column p of the sliver at a[p*MR:]), b holds
// k groups of NR values (row p at b[p*NR:]), and the tile is
// c[i*ldc+j], i < MR, j < NR.
type GemmKernel[T float32 | float64] struct {
	MR, NR int
	Fn     func(k int, a, b, c []T, ldc int)
}

var (
	tables [numTiers]*kernels
	k      *kernels // the active tier's table
)

func useTier(t SIMDTier) { k = tables[t] }

// buildTables fills tables; it runs once, before the tier is chosen.
func buildTables() {
	tables[Generic] = &kernels{
		sdot: sdotGeneric, ddot: ddotGeneric,
		saxpy: saxpyGeneric, daxpy: daxpyGeneric,
		sscal: sscalGeneric, dscal: dscalGeneric,
		sadd: saddGeneric, dadd: daddGeneric,
		ssub: ssubGeneric, dsub: dsubGeneric,
		smul: smulGeneric, dmul: dmulGeneric,
		ssum: ssumGeneric, dsum: dsumGeneric,
		smaxabs: smaxabsGeneric, dmaxabs: dmaxabsGeneric,

		slincomb: slincombGeneric, dlincomb: dlincombGeneric,

		sexp:               sexpGeneric,
		sleakyReLU:         sleakyReLUGeneric,
		sleakyReLUBackward: sleakyReLUBackwardGeneric,
		ssigmoid:           ssigmoidGeneric,
		ssilu:              ssiluGeneric,
		ssoftplus:          ssoftplusGeneric,
		stanh:              stanhGeneric,

		spackRuns: spackRunsGeneric, dpackRuns: dpackRunsGeneric,
		spackInterleave: spackInterleaveGeneric, dpackInterleave: dpackInterleaveGeneric,

		sgemm: GemmKernel[float32]{MR: 4, NR: 4, Fn: sgemm4x4Generic},
		dgemm: GemmKernel[float64]{MR: 4, NR: 4, Fn: dgemm4x4Generic},

		sadam: sadamGeneric,

		sfma:                  sfmaGeneric,
		smaskedDot:            smaskedDotGeneric,
		sleakyReLUBackwardDot: sleakyReLUBackwardDotGeneric,
		ssiluDerivs:           ssiluDerivsGeneric,
		squadDerivs:           squadDerivsGeneric,
		srowAffine:            srowAffineGeneric,
	}
	registerAsmTiers()
}
