package linalg

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
)

// TestSymEigSelSpectra checks the selective eigensolver against gonum's
// Dsyev on symmetric matrices with controlled spectra (distinct, clustered,
// exactly repeated, rank-deficient, zero, indefinite, diagonal): the
// selected values match, the vectors are orthonormal and satisfy
// ‖Av − λv‖ ≤ c·ε·‖A‖.
func TestSymEigSelSpectra(t *testing.T) {
	rng := spRand(30)
	for _, n := range []int{1, 2, 3, 5, 16, 24, 33, 48} {
		for _, kind := range []string{"random", "geometric", "clustered", "repeated", "rankdef", "zero", "indefinite", "diagonal"} {
			a := make([]float64, n*n)
			switch kind {
			case "random", "indefinite":
				g := make([]float64, n*n)
				spNormals(rng, g)
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						a[i*n+j] = g[i*n+j] + g[j*n+i]
					}
				}
				if kind == "random" { // SPD: a·aᵀ
					symGram(a, append([]float64(nil), a...), n, n)
				}
			case "diagonal":
				for i := 0; i < n; i++ {
					a[i*n+i] = float64((i*7)%n) - 2
				}
			case "zero":
			default:
				s := make([]float64, n)
				for i := range s {
					switch kind {
					case "geometric":
						s[i] = math.Pow(0.6, float64(i))
					case "clustered":
						s[i] = math.Pow(0.5, float64(i/3)) * (1 - 1e-10*float64(i%3))
					case "repeated":
						s[i] = 1 + float64(i/4)
					case "rankdef":
						if i < (n+1)/2 {
							s[i] = math.Pow(0.7, float64(i))
						}
					}
				}
				q := randOrthogonal(rng, n)
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						var sum float64
						for l := 0; l < n; l++ {
							sum += q[i*n+l] * s[l] * q[j*n+l]
						}
						a[i*n+j] = sum
					}
				}
				for i := 0; i < n; i++ { // exact symmetry
					for j := 0; j < i; j++ {
						a[j*n+i] = a[i*n+j]
					}
				}
			}
			ref := make([]float64, n)
			var ow orthWork
			if !ow.symEig(n, append([]float64(nil), a...), ref, false) {
				t.Fatalf("%s n=%d: Dsyev failed", kind, n)
			}
			var anorm float64
			for _, x := range ref {
				anorm = math.Max(anorm, math.Abs(x))
			}
			for _, lowest := range []bool{false, true} {
				for _, k := range []int{1, (n + 1) / 2, n} {
					name := fmt.Sprintf("%s/n%d/k%d/lowest%v", kind, n, k, lowest)
					var w symEigWork
					vals, vecs := make([]float64, k), make([]float64, k*n)
					c := append([]float64(nil), a...)
					if !w.symEigSel(n, c, k, lowest, vals, vecs) {
						t.Fatalf("%s: failed", name)
					}
					tol := 64 * float64(n) * 0x1p-52 * math.Max(anorm, 1e-300)
					for i := 0; i < k; i++ {
						want := ref[n-1-i]
						if lowest {
							want = ref[i]
						}
						if math.Abs(vals[i]-want) > tol {
							t.Errorf("%s: λ_%d = %.17g, want %.17g", name, i, vals[i], want)
						}
						v := vecs[i*n : (i+1)*n]
						av := spMatVec(a, n, n, v)
						for j := range av {
							av[j] -= vals[i] * v[j]
						}
						if r := normT(av); r > tol {
							t.Errorf("%s: ‖Av−λv‖ = %g for pair %d (tol %g)", name, r, i, tol)
						}
						for j := 0; j <= i; j++ {
							want := 0.0
							if i == j {
								want = 1
							}
							if g := asm.Dot(v, vecs[j*n:(j+1)*n]); math.Abs(g-want) > 64*float64(n)*0x1p-52 {
								t.Errorf("%s: ⟨v_%d, v_%d⟩ = %g", name, i, j, g)
							}
						}
					}
				}
			}
		}
	}
}

// TestSymEigSelNonFinite checks that a NaN or Inf is reported.
func TestSymEigSelNonFinite(t *testing.T) {
	var w symEigWork
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		a := []float64{1, 0, 0, 1}
		a[1], a[2] = bad, bad
		if w.symEigSel(2, a, 1, false, make([]float64, 1), make([]float64, 2)) {
			t.Errorf("%v accepted", bad)
		}
	}
}

func BenchmarkSymEigSel(b *testing.B) {
	rng := spRand(31)
	for _, n := range []int{16, 24, 32, 48} {
		g := make([]float64, 3*n*n)
		spNormals(rng, g)
		a := make([]float64, n*n)
		symGram(a, g, n, 3*n)
		c := make([]float64, n*n)
		for _, k := range []int{8, 16} {
			b.Run(fmt.Sprintf("sel/n%d/k%d", n, k), func(b *testing.B) {
				var w symEigWork
				vals, vecs := make([]float64, k), make([]float64, k*n)
				for i := 0; i < b.N; i++ {
					copy(c, a)
					w.symEigSel(n, c, k, false, vals, vecs)
				}
			})
		}
		b.Run(fmt.Sprintf("dsyev/n%d", n), func(b *testing.B) {
			var w orthWork
			vals := make([]float64, n)
			for i := 0; i < b.N; i++ {
				copy(c, a)
				w.symEig(n, c, vals, true)
			}
		})
	}
}

// TestTqlValuesKnownAnswer checks the root-free QL against closed forms:
// tridiag(1, 2, 1) of order n has eigenvalues 2 + 2cos(jπ/(n+1)), and the
// graded diag(4^i) with off-diagonals 4^i·1e-9 (its values within
// 1e-9·4^i of the diagonal, where the running norm of the absolute
// convergence test grows from 1 to 4^(n−1)).
func TestTqlValuesKnownAnswer(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 32, 64} {
		d, e := make([]float64, n), make([]float64, n)
		for i := range d {
			d[i], e[i] = 2, 1
		}
		if !tqlValues(n, d, e) {
			t.Fatalf("n=%d: no convergence", n)
		}
		slices.Sort(d)
		for j := 1; j <= n; j++ {
			want := 2 + 2*math.Cos(float64(n+1-j)*math.Pi/float64(n+1))
			if got := d[j-1]; math.Abs(got-want) > 8*float64(n)*0x1p-52*4 {
				t.Errorf("tridiag(1,2,1) n=%d: λ_%d = %.17g, want %.17g", n, j, got, want)
			}
		}
	}
	const n = 12
	d, e := make([]float64, n), make([]float64, n)
	for i := range d {
		d[i] = math.Pow(4, float64(i))
		e[i] = 1e-9 * d[i]
	}
	want := slices.Clone(d)
	if !tqlValues(n, d, e) {
		t.Fatal("graded: no convergence")
	}
	slices.Sort(d)
	for i := range d {
		if math.Abs(d[i]-want[i]) > 1e-8*want[i] {
			t.Errorf("graded: λ_%d = %.17g, want %.17g within 1e-8 relative", i, d[i], want[i])
		}
	}
}
