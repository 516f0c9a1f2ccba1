//go:build amd64 && !noasm

package asm

// slincombAVX512 is linCombGeneric for float32 (one FMA rounding per term).
//
//go:noescape
func slincombAVX512(dst []float32, beta float32, coef, src []float32, ld int)

// dlincombAVX512 is linCombGeneric for float64.
//
//go:noescape
func dlincombAVX512(dst []float64, beta float64, coef, src []float64, ld int)

// slincombAVX2 is linCombGeneric for float32.
//
//go:noescape
func slincombAVX2(dst []float32, beta float32, coef, src []float32, ld int)

// dlincombAVX2 is linCombGeneric for float64.
//
//go:noescape
func dlincombAVX2(dst []float64, beta float64, coef, src []float64, ld int)
