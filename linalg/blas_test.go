package linalg

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// TestMatMulUsesOurGemm installs Implementation under gonum/mat and checks
// that mat.Dense.Mul (and a transposed product) agree with gonum's own BLAS.
func TestMatMulUsesOurGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	random := func(r, c int) *mat.Dense {
		d := make([]float64, r*c)
		for i := range d {
			d[i] = rng.NormFloat64()
		}
		return mat.NewDense(r, c, d)
	}
	a, b := random(150, 97), random(97, 203)
	defer blas64.Use(gonum.Implementation{})

	var want, wantT mat.Dense
	blas64.Use(gonum.Implementation{})
	want.Mul(a, b)
	wantT.Mul(b.T(), a.T())

	var got, gotT mat.Dense
	counting := &countingImpl{}
	blas64.Use(counting)
	got.Mul(a, b)
	gotT.Mul(b.T(), a.T())
	if counting.calls != 2 {
		t.Fatalf("mat.Dense.Mul made %d Dgemm calls through linalg, want 2", counting.calls)
	}
	if !mat.EqualApprox(&got, &want, 1e-12) || !mat.EqualApprox(&gotT, &wantT, 1e-12) {
		t.Fatal("mat.Dense.Mul on linalg.Implementation disagrees with gonum")
	}
}

// countingImpl is Implementation with a count of Dgemm calls.
type countingImpl struct {
	Implementation
	calls int
}

func (c *countingImpl) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cc []float64, ldc int) {
	c.calls++
	c.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}
