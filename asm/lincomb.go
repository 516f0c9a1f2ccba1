package asm

// SlinComb sets dst[j] = beta·dst[j] + Σ_p coef[p]·src[p·ld+j] for j < len(dst):
// a linear combination of len(coef) rows of a row-major matrix. beta = 0
// overwrites dst (NaNs included). It is the GEMM of a tiny inner dimension
// (a k ≤ 8 input layer) and of a single output row or column.
func SlinComb(dst []float32, beta float32, coef, src []float32, ld int) {
	checkLinComb("SlinComb", len(dst), len(coef), len(src), ld)
	k.slincomb(dst, beta, coef, src, ld)
}

// DlinComb is SlinComb for float64.
func DlinComb(dst []float64, beta float64, coef, src []float64, ld int) {
	checkLinComb("DlinComb", len(dst), len(coef), len(src), ld)
	k.dlincomb(dst, beta, coef, src, ld)
}

func checkLinComb(name string, n, rows, lenSrc, ld int) {
	if n > 0 && rows > 0 && (ld < n || lenSrc < (rows-1)*ld+n) {
		panic("asm: " + name + ": src too short for len(coef) rows of len(dst) at stride ld")
	}
}

func linCombGeneric[T Float](dst []T, beta T, coef, src []T, ld int) {
	if beta == 0 {
		clear(dst)
	} else if beta != 1 {
		scalGeneric(beta, dst)
	}
	for p, cp := range coef {
		row := src[p*ld : p*ld+len(dst)]
		for j, v := range row {
			dst[j] += cp * v
		}
	}
}

var (
	slincombGeneric = linCombGeneric[float32]
	dlincombGeneric = linCombGeneric[float64]
)
