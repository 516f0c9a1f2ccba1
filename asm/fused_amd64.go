//go:build amd64 && !noasm

package asm

// Assembly fused element-wise kernels. Each runs the operations of the
// pure-Go twin named in its comment (fused.go) on operands whose lengths
// the public wrappers have checked and trimmed.

func fusedAVX2(t *kernels) {
	t.sfma = sfmaAVX2
	t.smaskedDot = smaskedDotAVX2
	t.sleakyReLUBackwardDot = sleakyReLUBackwardDotAVX2
	t.ssiluDerivs = ssiluDerivsAVX2
	t.squadDerivs = squadDerivsAVX2
	t.srowAffine = srowAffineAVX2
}

func fusedAVX512(t *kernels) {
	t.sfma = sfmaAVX512
	t.smaskedDot = smaskedDotAVX512
	t.sleakyReLUBackwardDot = sleakyReLUBackwardDotAVX512
	t.ssiluDerivs = ssiluDerivsAVX512
	t.squadDerivs = squadDerivsAVX512
	t.srowAffine = srowAffineAVX512
}

// sfmaAVX512 is sfmaGeneric.
//
//go:noescape
func sfmaAVX512(dst, a, b, c []float32)

// smaskedDotAVX512 is smaskedDotGeneric, summing in a different order.
//
//go:noescape
func smaskedDotAVX512(x, a, b []float32) float32

// sleakyReLUBackwardDotAVX512 is sleakyReLUBackwardDotGeneric, summing in
// a different order.
//
//go:noescape
func sleakyReLUBackwardDotAVX512(dx, x, dy, z []float32, slope float32) float32

// ssiluDerivsAVX512 is ssiluDerivsGeneric.
//
//go:noescape
func ssiluDerivsAVX512(d1, d2, x, s, dy []float32)

// squadDerivsAVX512 is squadDerivsGeneric.
//
//go:noescape
func squadDerivsAVX512(d1, d2, y, dy []float32, a, b, c, p, q float32)

// sfmaAVX2 is sfmaGeneric.
//
//go:noescape
func sfmaAVX2(dst, a, b, c []float32)

// smaskedDotAVX2 is smaskedDotGeneric, summing in a different order.
//
//go:noescape
func smaskedDotAVX2(x, a, b []float32) float32

// sleakyReLUBackwardDotAVX2 is sleakyReLUBackwardDotGeneric, summing in a
// different order.
//
//go:noescape
func sleakyReLUBackwardDotAVX2(dx, x, dy, z []float32, slope float32) float32

// ssiluDerivsAVX2 is ssiluDerivsGeneric.
//
//go:noescape
func ssiluDerivsAVX2(d1, d2, x, s, dy []float32)

// squadDerivsAVX2 is squadDerivsGeneric.
//
//go:noescape
func squadDerivsAVX2(d1, d2, y, dy []float32, a, b, c, p, q float32)

// srowAffineAVX512 is srowAffineGeneric (rows_avx512_amd64.s).
//
//go:noescape
func srowAffineAVX512(dst, x []float32, cols int, scale, shift []float32)

// srowAffineAVX2 is srowAffineGeneric (rows_avx2_amd64.s).
//
//go:noescape
func srowAffineAVX2(dst, x []float32, cols int, scale, shift []float32)
