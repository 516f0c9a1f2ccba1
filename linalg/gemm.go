package linalg

import (
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

// gemm checks the arguments and routes the call: trivial cases, the skinny
// paths for a tiny dimension, else the blocked driver, in parallel when the
// product is large enough to pay for a second worker.
func gemm[T asm.Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	g := gemmArgs[T]{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc}
	if skinny(&g) {
		return
	}
	blockedParallel(&g)
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
