package linalg

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
)

// BatchOperator is a batch of B independent linear maps J_b: R^d → R^D
// (b = 0, …, B−1), given only through products with blocks of vectors. The
// spectral solvers in this package work on any BatchOperator: explicit
// matrices (DenseOperator) or a network Jacobian evaluated by forward-mode
// (J v) and reverse-mode (Jᵀ w) passes.
//
// Tangent layout. A call carries k vectors per operator, stacked k-major:
// vector t of operator b is row t·B + b of a row-major (k·B)×n block
// (n = d for inputs of Apply, D for its outputs). All B operators advance in
// one call, so an implementation sees a k·B-row matrix product, the shape a
// GEMM (or a batched forward pass with k tangent streams) wants.
type BatchOperator[T asm.Float] interface {
	// Shape returns the batch size B and the size D×d of every J_b.
	Shape() (batch, rows, cols int)
	// Apply sets out = J_b V_b for every b, where V_b holds the k vectors
	// of operator b: v is (k·B)×d and out is (k·B)×D, tangent layout.
	Apply(v []T, k int, out []T)
	// ApplyT sets out = J_bᵀ W_b for every b: w is (k·B)×D and out is
	// (k·B)×d, tangent layout.
	ApplyT(w []T, k int, out []T)
}

// DenseOperator is a BatchOperator over B explicit D×d matrices stored one
// after another, each row-major: element (i, j) of J_b is
// Data[b·D·d + i·d + j]. Its products are one GEMM per operator, reading the
// strided tangent rows in place.
//
// ApplyT (W_b·J_b) packs J_b as contiguous runs; Apply (V_b·J_bᵀ) must
// transpose it while packing, which costs about as much as the arithmetic
// for the few vectors the spectral solvers apply. KeepTranspose stores
// every J_bᵀ alongside (doubling the memory) so that Apply packs contiguous
// runs too, and a single-vector Apply is one streaming pass over J_bᵀ
// instead of D dot products.
type DenseOperator[T asm.Float] struct {
	Batch, Rows, Cols int
	Data              []T

	tr []T // J_bᵀ (d×D each) when KeepTranspose was called
}

// KeepTranspose stores the transposes J_bᵀ for Apply (see DenseOperator).
// Call it again after changing Data; it allocates only the first time.
func (m *DenseOperator[T]) KeepTranspose() {
	B, D, d := m.Batch, m.Rows, m.Cols
	m.tr = spResize(m.tr, B*D*d)
	for b := 0; b < B; b++ {
		src, dst := m.Matrix(b), m.tr[b*D*d:(b+1)*D*d]
		for i := 0; i < D; i++ {
			for j, x := range src[i*d : (i+1)*d] {
				dst[j*D+i] = x
			}
		}
	}
}

// NewDenseOperator returns the operator over the batch×rows×cols matrices
// in data, which it does not copy. It panics if len(data) is not
// batch·rows·cols or a size is negative.
func NewDenseOperator[T asm.Float](batch, rows, cols int, data []T) *DenseOperator[T] {
	if batch < 0 || rows < 0 || cols < 0 {
		panic("linalg: negative operator size")
	}
	if len(data) != batch*rows*cols {
		panic(fmt.Sprintf("linalg: dense operator data has length %d, want %d×%d×%d", len(data), batch, rows, cols))
	}
	return &DenseOperator[T]{Batch: batch, Rows: rows, Cols: cols, Data: data}
}

// Shape implements BatchOperator.
func (m *DenseOperator[T]) Shape() (batch, rows, cols int) { return m.Batch, m.Rows, m.Cols }

// Matrix returns J_b, a row-major Rows×Cols view into Data.
func (m *DenseOperator[T]) Matrix(b int) []T {
	n := m.Rows * m.Cols
	return m.Data[b*n : (b+1)*n : (b+1)*n]
}

// Apply implements BatchOperator: out rows of operator b are V_b J_bᵀ.
func (m *DenseOperator[T]) Apply(v []T, k int, out []T) {
	B, D, d := m.Batch, m.Rows, m.Cols
	checkTangents("Apply", k, B, d, D, len(v), len(out))
	if k == 0 || B == 0 || D == 0 {
		return
	}
	if d == 0 {
		clear(out[:k*B*D])
		return
	}
	if len(m.tr) == B*D*d {
		for b := 0; b < B; b++ {
			Gemm(false, false, k, D, d, 1, v[b*d:], B*d, m.tr[b*D*d:], D, 0, out[b*D:], B*D)
		}
		return
	}
	for b := 0; b < B; b++ {
		// V_b is k×d with row stride B·d; out_b is k×D with stride B·D.
		Gemm(false, true, k, D, d, 1, v[b*d:], B*d, m.Matrix(b), d, 0, out[b*D:], B*D)
	}
}

// ApplyT implements BatchOperator: out rows of operator b are W_b J_b.
func (m *DenseOperator[T]) ApplyT(w []T, k int, out []T) {
	B, D, d := m.Batch, m.Rows, m.Cols
	checkTangents("ApplyT", k, B, D, d, len(w), len(out))
	if k == 0 || B == 0 || d == 0 {
		return
	}
	if D == 0 {
		clear(out[:k*B*d])
		return
	}
	for b := 0; b < B; b++ {
		Gemm(false, false, k, d, D, 1, w[b*D:], B*D, m.Matrix(b), d, 0, out[b*d:], B*d)
	}
}

// checkTangents panics when a tangent block is too short for k vectors of
// length in (input) or outN (output) per operator.
func checkTangents(name string, k, batch, in, outN, lenIn, lenOut int) {
	if k < 0 {
		panic("linalg: " + name + " with negative k")
	}
	if lenIn < k*batch*in {
		panic(fmt.Sprintf("linalg: %s input has length %d, want %d", name, lenIn, k*batch*in))
	}
	if lenOut < k*batch*outN {
		panic(fmt.Sprintf("linalg: %s output has length %d, want %d", name, lenOut, k*batch*outN))
	}
}
