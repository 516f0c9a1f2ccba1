package asm

import "fmt"

// SgemmKernel returns the active tier's float32 GEMM micro-kernel.
func SgemmKernel() GemmKernel[float32] { return k.sgemm }

// DgemmKernel returns the active tier's float64 GEMM micro-kernel.
func DgemmKernel() GemmKernel[float64] { return k.dgemm }

// GemmFlags say what a GEMM micro-kernel does with its sums.
type GemmFlags uint8

const (
	// GemmOverwrite stores the sums in C instead of adding them to it; C is
	// not read. The sums then start from +0 instead of -0, which gives
	// exactly the bits of adding the -0 sums to a C set to +0.
	GemmOverwrite GemmFlags = 1 << iota
	// GemmBiasCols adds Bias[j] to every element of column j, after C.
	GemmBiasCols
	// GemmBiasRows adds Bias[i] to every element of row i, after C.
	GemmBiasRows
)

// A GemmPanel is one call of a GEMM micro-kernel: the rows i < M and the
// columns j < Cols of a sliver of C, one MR×NR tile at a time,
//
//	C[i·Ldc + j] = (C[i·Ldc + j] +) Σ_p A(i, p)·B[p·Ldb + j] (+ bias),  p < K,
//
// with A(i, p) = A[t·TsA + r·RsA + p·CsA] for row i = t·MR + r of tile t.
// The strides let one kernel read a packed A sliver (RsA = 1, CsA = MR,
// TsA = MR·kc), a row-major A in place (RsA = lda, CsA = 1, TsA = MR·lda)
// or a column-major one (RsA = 1, CsA = lda, TsA = MR). Row p of B is NR
// contiguous elements (a packed sliver, Ldb = NR, or a row-major B in
// place); the kernel reads all NR of them whatever Cols is, and every tile
// of A whole, MR rows, even the last when M is not a multiple of MR.
//
// Every element of C is one sum, the products added in the order of p, each
// with one rounding (a fused multiply-add on the assembly tiers), from -0
// (+0 with GemmOverwrite), then added to C (unless GemmOverwrite), then to
// the bias. So an element's bits depend on its row of A, its column of B and
// K only: not on M, the tile it falls in, the strides or the tier's tile
// shape (the assembly tiers agree with each other bit for bit).
type GemmPanel[T Float] struct {
	K             int // ≥ 0
	A             []T
	RsA, CsA, TsA int // ≥ 0, in elements
	B             []T
	Ldb           int // ≥ 0, in elements
	C             []T
	Ldc           int // ≥ Cols when M > 1
	M             int // rows of C, ≥ 1
	Cols          int // columns of C, 1 ≤ Cols ≤ NR
	Flags         GemmFlags
	Bias          []T // Cols values with GemmBiasCols, M with GemmBiasRows
}

// check panics unless a call with an mr×nr tile stays inside the panel's
// slices. A failure is a bug in the caller (the GEMM driver), not bad user
// input.
func (p *GemmPanel[T]) check(mr, nr int) {
	if msg := p.problem(mr, nr); msg != "" {
		panicGemmPanel(mr, nr, msg)
	}
}

func (p *GemmPanel[T]) problem(mr, nr int) string {
	switch {
	case p.K < 0 || p.RsA < 0 || p.CsA < 0 || p.TsA < 0 || p.Ldb < 0:
		return fmt.Sprintf("negative depth or stride (K %d, RsA %d, CsA %d, TsA %d, Ldb %d)", p.K, p.RsA, p.CsA, p.TsA, p.Ldb)
	case p.M < 1 || p.Cols < 1 || p.Cols > nr:
		return fmt.Sprintf("M = %d, Cols = %d: need M ≥ 1 and 1 ≤ Cols ≤ %d", p.M, p.Cols, nr)
	case p.M > 1 && p.Ldc < p.Cols:
		return fmt.Sprintf("Ldc = %d < Cols = %d", p.Ldc, p.Cols)
	case len(p.C) < (p.M-1)*p.Ldc+p.Cols:
		return fmt.Sprintf("len(C) = %d, need %d", len(p.C), (p.M-1)*p.Ldc+p.Cols)
	case p.Flags&GemmBiasCols != 0 && p.Flags&GemmBiasRows != 0:
		return "both bias flags"
	case p.Flags&GemmBiasCols != 0 && len(p.Bias) < p.Cols:
		return fmt.Sprintf("len(Bias) = %d < Cols = %d", len(p.Bias), p.Cols)
	case p.Flags&GemmBiasRows != 0 && len(p.Bias) < p.M:
		return fmt.Sprintf("len(Bias) = %d < M = %d", len(p.Bias), p.M)
	case p.Flags >= GemmBiasRows<<1:
		return fmt.Sprintf("unknown flags %#x", p.Flags)
	}
	if p.K == 0 {
		return ""
	}
	tiles := (p.M + mr - 1) / mr
	if need := (tiles-1)*p.TsA + (mr-1)*p.RsA + (p.K-1)*p.CsA + 1; len(p.A) < need {
		return fmt.Sprintf("len(A) = %d, need %d for %d whole tiles", len(p.A), need, tiles)
	}
	if need := (p.K-1)*p.Ldb + nr; len(p.B) < need {
		return fmt.Sprintf("len(B) = %d, need %d", len(p.B), need)
	}
	return ""
}

// panicGemmPanel is kept out of line so that check stays small.
//
//go:noinline
func panicGemmPanel(mr, nr int, msg string) {
	panic(fmt.Sprintf("asm: %d×%d GEMM kernel: %s", mr, nr, msg))
}

// first returns &s[0], or nil for an empty s.
func first[T Float](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}
