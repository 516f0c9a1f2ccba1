package linalg

import (
	"sync/atomic"

	"github.com/ebmcpu/ebmcpu/asm"
	"gonum.org/v1/gonum/blas"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for float32, with op(X) = X
// or Xᵀ as tA and tB say; op(A) is m×k, op(B) is k×n, C is m×n. When beta
// is zero C is overwritten, NaNs included. It panics on inconsistent sizes,
// as gonum's BLAS does.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64.
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Gemm is Sgemm or Dgemm by element type, with the transposes as booleans;
// it is the entry point for code written once over float32 and float64.
func Gemm[T asm.Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmBias sets C = op(A)·op(B) and adds bias[j] to column j of the rows
// i < biasRows of C: the forward pass of a linear layer, whose bias touches
// only the primal rows of a tangent pass, without a second pass over C.
// The result has exactly the bits of Gemm with beta = 0 followed by the
// addition. It panics on inconsistent sizes.
func GemmBias[T asm.Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, bias []T, biasRows int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if biasRows < 0 || biasRows > m || (biasRows > 0 && len(bias) < n) {
		panic("linalg: GemmBias: bad bias")
	}
	if biasRows == 0 {
		bias = nil
	}
	route(&gemmArgs[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
		c: c, ldc: ldc, bias: bias, biasRows: biasRows})
}

// gemm checks the arguments and routes the call.
func gemm[T asm.Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	route(&gemmArgs[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
		beta: beta, c: c, ldc: ldc})
}

// CountFlops starts (true) or stops counting the floating-point operations
// of every GEMM, 2·m·n·k each, for benchmarks that report a share of the
// FMA peak; Flops returns the count so far, ResetFlops zeroes it.
func CountFlops(on bool) { countFlops.Store(on) }

// Flops returns the GEMM operations counted since the last ResetFlops.
func Flops() int64 { return flops.Load() }

// ResetFlops zeroes the count of Flops.
func ResetFlops() { flops.Store(0) }

var (
	countFlops atomic.Bool
	flops      atomic.Int64
)

// route runs a checked product: trivial cases, the skinny paths for a tiny
// dimension, else the blocked driver, in parallel when the product is large
// enough to pay for a second worker. The blocked driver adds the bias in
// the kernel's store; the other paths add it afterwards, which gives the
// same bits.
func route[T asm.Float](g *gemmArgs[T]) {
	if g.m == 0 || g.n == 0 {
		return
	}
	if countFlops.Load() {
		flops.Add(2 * int64(g.m) * int64(g.n) * int64(g.k))
	}
	switch {
	case g.k == 0 || g.alpha == 0:
		scaleC(g.m, g.n, g.beta, g.c, g.ldc)
	case skinny(g):
	default:
		blockedParallel(g)
		return
	}
	if g.bias != nil {
		for i := 0; i < g.biasRows; i++ {
			asm.Add(g.c[i*g.ldc:i*g.ldc+g.n], g.c[i*g.ldc:i*g.ldc+g.n], g.bias[:g.n])
		}
	}
}

// checkGemm panics with gonum's messages on inconsistent GEMM arguments.
func checkGemm(transA, transB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	switch {
	case m < 0:
		panic("linalg: m < 0")
	case n < 0:
		panic("linalg: n < 0")
	case k < 0:
		panic("linalg: k < 0")
	case lda < max(1, colsA):
		panic("linalg: bad lda")
	case ldb < max(1, colsB):
		panic("linalg: bad ldb")
	case ldc < max(1, n):
		panic("linalg: bad ldc")
	}
	if m == 0 || n == 0 {
		return
	}
	if rowsA > 0 && lenA < (rowsA-1)*lda+colsA {
		panic("linalg: short A")
	}
	if rowsB > 0 && lenB < (rowsB-1)*ldb+colsB {
		panic("linalg: short B")
	}
	if lenC < (m-1)*ldc+n {
		panic("linalg: short C")
	}
}
