package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// invarianceShapes cover every path of the GEMM: the small inner dimension
// (beta 0: blocked; beta ≠ 0: smallInner), few columns (transposed A: the
// column path; else blocked), in-place and packed operands, k beyond one
// kc block, the parallel split, and the fused bias.
var invarianceShapes = []struct {
	m, n, k int
	beta    float32
	bias    bool
}{
	{37, 21, 2, 0, false}, {37, 21, 3, 1, false}, {37, 5, 50, 0, false}, {37, 3, 50, 1, false},
	{61, 45, 30, 0, true}, {61, 45, 30, 0.5, false}, {43, 40, 300, 1, false},
	{700, 40, 100, 0, true}, {300, 300, 200, 0, false}, {130, 70, 520, 0.5, false},
}

// TestGemmRowsAndColumnsAreIndependent: an element of C has the same bits
// whatever m and n are, that is whatever rows and columns are computed with
// it, on every path and worker count. A server batches requests (rows), and
// convolutions put a varying number of images side by side (columns).
func TestGemmRowsAndColumnsAreIndependent(t *testing.T) {
	defer SetWorkers(Workers())
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sh := range invarianceShapes {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				name := fmt.Sprintf("%dx%dx%d beta=%g bias=%v tA=%v tB=%v", sh.m, sh.n, sh.k, sh.beta, sh.bias, tA, tB)
				a, lda := randMat(rng, sh.m, sh.k, tA)
				b, ldb := randMat(rng, sh.k, sh.n, tB)
				c0 := make([]float32, sh.m*sh.n)
				for i := range c0 {
					c0[i] = float32(rng.NormFloat64())
				}
				bias := make([]float32, sh.n)
				for i := range bias {
					bias[i] = float32(rng.NormFloat64())
				}
				// run computes rows r0..r1 and columns j0..j1 of C.
				run := func(r0, r1, j0, j1 int) []float32 {
					m, n := r1-r0, j1-j0
					ao, bo := r0*lda, j0
					if tA {
						ao = r0
					}
					if tB {
						bo = j0 * ldb
					}
					as, bs := a[ao:], b[bo:]
					c := make([]float32, m*n)
					for i := range c {
						c[i] = c0[(r0+i/n)*sh.n+j0+i%n]
					}
					if sh.bias {
						GemmBias(tA, tB, m, n, sh.k, as, lda, bs, ldb, c, n, bias[j0:], m)
					} else {
						Gemm(tA, tB, m, n, sh.k, 1, as, lda, bs, ldb, sh.beta, c, n)
					}
					return c
				}
				SetWorkers(1)
				full := run(0, sh.m, 0, sh.n)
				for _, w := range []int{1, 2} {
					SetWorkers(w)
					for _, part := range [][4]int{
						{0, 1, 0, sh.n}, {sh.m - 1, sh.m, 0, sh.n}, {5, 12, 0, sh.n}, {3, sh.m, 0, sh.n}, // rows
						{0, sh.m, 0, 1}, {0, sh.m, sh.n - 1, sh.n}, {0, sh.m, 2, min(sh.n, 19)}, // columns
						{7, min(sh.m, 30), 1, sh.n}, {0, sh.m, 0, sh.n},
					} {
						r0, r1, j0, j1 := part[0], part[1], part[2], part[3]
						got := run(r0, r1, j0, j1)
						n := j1 - j0
						for i := range got {
							want := full[(r0+i/n)*sh.n+j0+i%n]
							if math.Float32bits(got[i]) != math.Float32bits(want) {
								t.Fatalf("%s workers=%d rows [%d,%d) cols [%d,%d): C[%d,%d] = %v alone, %v in the whole product",
									name, w, r0, r1, j0, j1, r0+i/n, j0+i%n, got[i], want)
							}
						}
					}
				}
			}
		}
	}
}

// randMat returns a rows×cols matrix (stored transposed if trans) with a
// padded leading dimension.
func randMat(rng *rand.Rand, rows, cols int, trans bool) ([]float32, int) {
	r, c := rows, cols
	if trans {
		r, c = cols, rows
	}
	ld := c + 3
	x := make([]float32, r*ld)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x, ld
}
