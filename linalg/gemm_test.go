package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/ebmcpu/ebmcpu/asm"
)

// gemmCase is one GEMM problem with padded leading dimensions.
type gemmCase struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float64
	padA, padB  int // extra columns beyond the stored width
	padC        int
}

func (tc gemmCase) String() string {
	t := func(x blas.Transpose) string {
		if x == blas.NoTrans {
			return "N"
		}
		return "T"
	}
	return fmt.Sprintf("%s%s m=%d n=%d k=%d alpha=%g beta=%g", t(tc.tA), t(tc.tB), tc.m, tc.n, tc.k, tc.alpha, tc.beta)
}

// operands builds A, B and C in float64 for tc, with sentinel padding.
func (tc gemmCase) operands(rng *rand.Rand) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ra, ca := tc.m, tc.k
	if tc.tA == blas.Trans {
		ra, ca = tc.k, tc.m
	}
	rb, cb := tc.k, tc.n
	if tc.tB == blas.Trans {
		rb, cb = tc.n, tc.k
	}
	lda, ldb, ldc = max(1, ca+tc.padA), max(1, cb+tc.padB), max(1, tc.n+tc.padC)
	fill := func(rows, ld int) []float64 {
		x := make([]float64, rows*ld)
		for i := range x {
			x[i] = 2*rng.Float64() - 1
		}
		return x
	}
	return fill(ra, lda), lda, fill(rb, ldb), ldb, fill(tc.m, ldc), ldc
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// checkAgainstGonum runs tc through Sgemm and Dgemm and compares with
// gonum's Dgemm on the same (float32-rounded) inputs.
func checkAgainstGonum(t *testing.T, tc gemmCase, rng *rand.Rand) {
	t.Helper()
	a, lda, b, ldb, c, ldc := tc.operands(rng)
	a32, b32, c32 := to32(a), to32(b), to32(c)
	if tc.beta == 0 && len(c) > 0 {
		c[0], c32[0] = math.NaN(), float32(math.NaN()) // beta = 0 must overwrite NaN
	}
	// Reference in float64 on the float32-rounded inputs, plus a bound on the
	// rounding error: k·eps·Σ|alpha·a·b| + eps·|beta·c|.
	ref := func(x []float32) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = float64(v)
		}
		return y
	}
	cRef, want := ref(c32), ref(c32)
	if tc.beta == 0 {
		cRef[0] = 0
	}
	gonum.Implementation{}.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, ref(a32), lda, ref(b32), ldb, tc.beta, cRef, ldc)
	absA, absB := make([]float64, len(a)), make([]float64, len(b))
	for i, v := range a32 {
		absA[i] = math.Abs(float64(v))
	}
	for i, v := range b32 {
		absB[i] = math.Abs(float64(v))
	}
	bound := make([]float64, len(c))
	gonum.Implementation{}.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, math.Abs(tc.alpha), absA, lda, absB, ldb, 0, bound, ldc)

	Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, float32(tc.alpha), a32, lda, b32, ldb, float32(tc.beta), c32, ldc)
	Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, ref(a32), lda, ref(b32), ldb, tc.beta, want, ldc)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if j >= tc.n { // padding must be untouched
				if float64(c32[idx]) != float64(float32(c[idx])) || want[idx] != float64(float32(c[idx])) {
					t.Fatalf("%v: wrote padding at (%d,%d)", tc, i, j)
				}
				continue
			}
			betaC := math.Abs(tc.beta * float64(float32(c[idx])))
			if tc.beta == 0 {
				betaC = 0
			}
			tol32 := float64(tc.k+3)*6e-8*(bound[idx]+betaC) + 1e-30
			if d := math.Abs(float64(c32[idx]) - cRef[idx]); !(d <= tol32) {
				t.Fatalf("%v: Sgemm C[%d,%d] = %v, want %v (tol %g)", tc, i, j, c32[idx], cRef[idx], tol32)
			}
			if d := math.Abs(want[idx] - cRef[idx]); !(d <= tol32*1e-8) {
				t.Fatalf("%v: Dgemm C[%d,%d] = %v, want %v", tc, i, j, want[idx], cRef[idx])
			}
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

func TestGemmMatchesGonumAllTiers(t *testing.T) {
	sizes := []int{1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 32, 33, 47, 64, 97, 128, 131, 200, 257, 300}
	orig := asm.Tier()
	defer func() { _ = asm.SetTier(orig) }()
	for _, tier := range asm.AvailableTiers() {
		if err := asm.SetTier(tier); err != nil {
			t.Fatal(err)
		}
		t.Run(tier.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(tier)))
			for _, tA := range transposes {
				for _, tB := range transposes {
					for trial := 0; trial < 40; trial++ {
						tc := gemmCase{tA: tA, tB: tB,
							m: sizes[rng.IntN(len(sizes))], n: sizes[rng.IntN(len(sizes))], k: sizes[rng.IntN(len(sizes))],
							alpha: []float64{1, -0.5, 2.25}[trial%3], beta: []float64{0, 1, -1.5, 0.5}[trial%4],
							padA: trial % 3, padB: (trial / 3) % 2, padC: trial % 2}
						checkAgainstGonum(t, tc, rng)
					}
				}
			}
		})
	}
}

func TestGemmEveryShapeUpTo40(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for m := 1; m <= 40; m += 3 {
		for n := 1; n <= 40; n += 2 {
			for _, k := range []int{1, 2, 3, 4, 5, 9, 40} {
				tc := gemmCase{tA: transposes[(m+n)%2], tB: transposes[(m/2+k)%2], m: m, n: n, k: k, alpha: 1.5, beta: 0.5, padC: 1}
				checkAgainstGonum(t, tc, rng)
			}
		}
	}
}

func TestGemmSpecialAlphaBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, ab := range [][2]float64{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {-1, 0}} {
		for _, k := range []int{0, 1, 64} {
			checkAgainstGonum(t, gemmCase{tA: blas.NoTrans, tB: blas.Trans, m: 37, n: 41, k: k, alpha: ab[0], beta: ab[1], padC: 3}, rng)
		}
	}
}

// TestGemmDeterministicAcrossWorkers checks that the worker count does not
// change a single bit of the result.
func TestGemmDeterministicAcrossWorkers(t *testing.T) {
	defer SetWorkers(Workers())
	rng := rand.New(rand.NewPCG(9, 10))
	for _, shape := range [][3]int{{256, 256, 256}, {517, 129, 300}, {130, 700, 90}, {64, 1000, 513}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				tc := gemmCase{tA: tA, tB: tB, m: shape[0], n: shape[1], k: shape[2], alpha: 0.7, beta: 0.3}
				a, lda, b, ldb, c, ldc := tc.operands(rng)
				a32, b32 := to32(a), to32(b)
				var first []float32
				for _, w := range []int{1, 2, 3, 5} {
					SetWorkers(w)
					c32 := to32(c)
					Sgemm(tA, tB, tc.m, tc.n, tc.k, 0.7, a32, lda, b32, ldb, 0.3, c32, ldc)
					if first == nil {
						first = c32
						continue
					}
					for i := range c32 {
						if math.Float32bits(c32[i]) != math.Float32bits(first[i]) {
							t.Fatalf("%v: workers=%d differs from workers=1 at %d", tc, w, i)
						}
					}
				}
			}
		}
	}
}

func TestGemmPanicsOnBadSizes(t *testing.T) {
	for name, f := range map[string]func(){
		"negative m": func() { Sgemm(blas.NoTrans, blas.NoTrans, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) },
		"short A": func() {
			Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		"bad ldc": func() {
			Dgemm(blas.NoTrans, blas.NoTrans, 2, 3, 2, 1, make([]float64, 4), 2, make([]float64, 6), 3, 0, make([]float64, 6), 2)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestGemmAllocatesNothing checks the steady state of every path: blocked,
// parallel and skinny.
func TestGemmAllocatesNothing(t *testing.T) {
	defer SetWorkers(Workers())
	for _, shape := range [][3]int{{256, 256, 256}, {256, 256, 2}, {200, 1, 100}, {1, 100, 200}, {33, 17, 9}} {
		for _, w := range []int{1, 2} {
			SetWorkers(w)
			m, n, k := shape[0], shape[1], shape[2]
			a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for _, tr := range transposes {
				lda, ldb := k, n
				if tr == blas.Trans {
					lda, ldb = m, k
				}
				allocs := testing.AllocsPerRun(20, func() {
					Sgemm(tr, tr, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n)
				})
				if allocs != 0 {
					t.Errorf("m=%d n=%d k=%d trans=%v workers=%d: %v allocations per call", m, n, k, tr, w, allocs)
				}
			}
		}
	}
}

func TestCountFlops(t *testing.T) {
	defer CountFlops(false)
	a, b, c := make([]float32, 6), make([]float32, 12), make([]float32, 8)
	ResetFlops()
	Sgemm(blas.NoTrans, blas.NoTrans, 2, 4, 3, 1, a, 3, b, 4, 0, c, 4)
	if Flops() != 0 {
		t.Fatalf("counted %d flops while off", Flops())
	}
	CountFlops(true)
	Sgemm(blas.NoTrans, blas.NoTrans, 2, 4, 3, 1, a, 3, b, 4, 0, c, 4)
	GemmBias(false, false, 2, 4, 3, a, 3, b, 4, c, 4, make([]float32, 4), 2)
	if Flops() != 2*2*2*4*3 {
		t.Fatalf("counted %d flops, want %d", Flops(), 2*2*2*4*3)
	}
}

// TestGemmAssemblyTiersAgree: the avx2 (6×16) and avx512 (12×32) kernels
// give the same bits, since both add the products of one kc-deep slice in
// the order of k with one rounding each and the driver's blocking is the
// tiers' own; so neither the tier nor a kernel chosen by shape changes a
// result (BENCHMARKS.md relies on it).
func TestGemmAssemblyTiersAgree(t *testing.T) {
	if !slices.Contains(asm.AvailableTiers(), asm.AVX512) {
		t.Skip("needs a CPU with AVX-512 (the avx512 tier) besides AVX2")
	}
	orig := asm.Tier()
	defer func() { _ = asm.SetTier(orig) }()
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sh := range [][3]int{{64, 64, 64}, {200, 100, 100}, {37, 50, 300}, {128, 128, 700}, {13, 257, 9}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			a, b, c0 := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for _, s := range [][]float32{a, b, c0} {
				for i := range s {
					s[i] = float32(rng.NormFloat64())
				}
			}
			lda, ldb := k, n
			if tr[0] {
				lda = m
			}
			if tr[1] {
				ldb = k
			}
			var got [2][]float32
			for i, tier := range []asm.SIMDTier{asm.AVX2, asm.AVX512} {
				require.NoError(t, asm.SetTier(tier))
				got[i] = slices.Clone(c0)
				Gemm(tr[0], tr[1], m, n, k, 0.7, a, lda, b, ldb, 0.3, got[i], n)
			}
			for i := range got[0] {
				if math.Float32bits(got[0][i]) != math.Float32bits(got[1][i]) {
					t.Fatalf("%dx%dx%d tA=%v tB=%v: C[%d] = %v (avx2), %v (avx512)", m, n, k, tr[0], tr[1], i, got[0][i], got[1][i])
				}
			}
		}
	}
}
