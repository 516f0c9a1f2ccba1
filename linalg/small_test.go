package linalg

import (
	"math"
	"math/big"
	"testing"
)

// small2x2Cases returns 2×2 test matrices: random, diagonal, rotations,
// reflections, singular, zero, nearly singular and badly scaled.
func small2x2Cases() [][4]float64 {
	rng := spRand(30)
	cases := [][4]float64{
		{1, 0, 0, 1}, {2, 0, 0, -3}, {0, 1, 1, 0}, {0, 0, 0, 0}, {1, 2, 2, 4},
		{0, 5, 0, 0}, {3, 0, 4, 0}, {1, 1e-12, 0, 1e-9}, {1e150, 1, 1, 1e-150},
		{1, 1 + 1e-15, 1 - 1e-15, 1}, {-1, 0, 0, -1}, {math.Cos(1), -math.Sin(1), math.Sin(1), math.Cos(1)},
	}
	for i := 0; i < 200; i++ {
		var m [4]float64
		for j := range m {
			m[j] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
		}
		cases = append(cases, m)
	}
	return cases
}

// TestSmallSVD2 checks the closed-form 2×2 SVD: U·diag(s)·Vᵀ reconstructs
// the matrix, U and V are orthogonal, s1 ≥ s2 ≥ 0, and the values agree with
// gonum's SVD (s2 to relative accuracy).
func TestSmallSVD2(t *testing.T) {
	for _, m := range small2x2Cases() {
		s1, s2, u, v := SVD2(m[0], m[1], m[2], m[3])
		if !(s1 >= s2 && s2 >= 0) {
			t.Errorf("%v: s = %g, %g", m, s1, s2)
		}
		// gonum's bidiagonalisation is accurate to ε·s1 absolute; SVD2 keeps
		// s2 to relative accuracy: s1·s2 = |det| to a few ulps.
		want := denseSV(m[:], 2, 2)
		if math.Abs(s1-want[0]) > 1e-14*want[0] || math.Abs(s2-want[1]) > 1e-15*want[0] {
			t.Errorf("%v: s = %.17g, %.17g; gonum %.17g, %.17g", m, s1, s2, want[0], want[1])
		}
		if det := math.Abs(exactDet2(m)); math.Abs(s1*s2-det) > 1e-15*det || (det == 0) != (s2 == 0) {
			t.Errorf("%v: s1·s2 = %.17g, |det| = %.17g", m, s1*s2, det)
		}
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				rec := u[2*i]*s1*v[2*j] + u[2*i+1]*s2*v[2*j+1]
				if math.Abs(rec-m[2*i+j]) > 1e-14*s1 {
					t.Errorf("%v: U·S·Vᵀ[%d,%d] = %g", m, i, j, rec)
				}
				uu := u[i]*u[j] + u[2+i]*u[2+j]
				vv := v[i]*v[j] + v[2+i]*v[2+j]
				if math.Abs(uu-spBool(i == j)) > 1e-15 || math.Abs(vv-spBool(i == j)) > 1e-15 {
					t.Errorf("%v: UᵀU or VᵀV not identity", m)
				}
			}
		}
	}
	// The batched form agrees with the scalar one.
	cases := small2x2Cases()
	flat := make([]float64, 0, 4*len(cases))
	for _, m := range cases {
		flat = append(flat, m[:]...)
	}
	s, u, v := make([]float64, 2*len(cases)), make([]float64, 4*len(cases)), make([]float64, 4*len(cases))
	SVD2Batch(flat, s, u, v)
	for i, m := range cases {
		s1, s2, ui, vi := SVD2(m[0], m[1], m[2], m[3])
		if s[2*i] != s1 || s[2*i+1] != s2 || !spSameBits(u[4*i:4*i+4], ui[:]) || !spSameBits(v[4*i:4*i+4], vi[:]) {
			t.Fatalf("SVD2Batch differs from SVD2 at %d", i)
		}
	}
}

// exactDet2 returns ad − bc rounded once, computed in rational arithmetic.
func exactDet2(m [4]float64) float64 {
	var ad, bc, det big.Rat
	ad.Mul(new(big.Rat).SetFloat64(m[0]), new(big.Rat).SetFloat64(m[3]))
	bc.Mul(new(big.Rat).SetFloat64(m[1]), new(big.Rat).SetFloat64(m[2]))
	det.Sub(&ad, &bc)
	f, _ := det.Float64()
	return f
}

func spBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestSmallDet2 checks Det2 against the exactly rounded determinant
// (computed in rational arithmetic), including catastrophic cancellation.
func TestSmallDet2(t *testing.T) {
	cases := small2x2Cases()
	// Cancellation: det = 2⁻²⁶ + 2⁻⁵³ from entries near 1, where the naive
	// ad − bc loses the low bits.
	cases = append(cases, [4]float64{1 + 0x1p-27, 1 - 0x1p-27, 1 + 0x1p-27, 1 + 0x1p-27},
		[4]float64{1 + 0x1p-30, 1, 1, 1 - 0x1p-30}, [4]float64{3, 1.0 / 3, 1.0 / 3, 1.0 / 27})
	for _, m := range cases {
		want := exactDet2(m)
		got := Det2(m[0], m[1], m[2], m[3])
		if math.Abs(got-want) > 4*0x1p-53*math.Abs(want) {
			t.Errorf("%v: Det2 = %.17g, exact %.17g", m, got, want)
		}
		if ld := LogAbsDet2(m[0], m[1], m[2], m[3]); ld != math.Log(math.Abs(got)) {
			t.Errorf("%v: LogAbsDet2 = %g", m, ld)
		}
	}
	dst := make([]float64, len(cases))
	flat := make([]float64, 0, 4*len(cases))
	for _, m := range cases {
		flat = append(flat, m[:]...)
	}
	LogAbsDet2Batch(flat, dst)
	for i, m := range cases {
		if dst[i] != LogAbsDet2(m[0], m[1], m[2], m[3]) {
			t.Fatalf("LogAbsDet2Batch differs at %d", i)
		}
	}
}

// TestSmallHalfLogDet checks the exact ½·log det(JᵀJ) against Σ log s_i from
// gonum's SVD on every test spectrum (Cholesky and QR paths), the 2×2
// closed form, rank deficiency (−Inf) and non-finite input (NaN).
func TestSmallHalfLogDet(t *testing.T) {
	rng := spRand(31)
	for _, sz := range [][2]int{{30, 10}, {12, 12}, {2, 2}, {5, 1}} {
		D, d := sz[0], sz[1]
		for _, sp := range allSpectra {
			const B = 3
			data, sv := batchWithSpectrum(rng, B, D, d, sp)
			var jac Jacobians[float64]
			jac.Form(NewDenseOperator(B, D, d, data))
			got := make([]float64, B)
			jac.HalfLogDet(got)
			vals := make([]float64, B*d)
			jac.SingularValues(vals)
			for b := 0; b < B; b++ {
				var want float64
				for i, s := range sv[b] {
					want += math.Log(s)
					if math.Abs(vals[b*d+i]-s) > 1e-13*sv[b][0] {
						t.Errorf("%v %d×%d: SingularValues[%d] = %g, want %g", sp, D, d, i, vals[b*d+i], s)
					}
				}
				switch {
				case sp == specRankDef && d > 1:
					// Exact zeros become round-off: a huge negative value.
					if got[b] > -30 {
						t.Errorf("%v %d×%d: rank-deficient ½ log det = %g", sp, D, d, got[b])
					}
				case math.Abs(got[b]-want) > 1e-9*math.Max(1, math.Abs(want)):
					t.Errorf("%v %d×%d: ½ log det = %.15g, want %.15g", sp, D, d, got[b], want)
				}
			}
		}
	}
	// Exact singularity, D < d, and non-finite entries.
	data := []float64{1, 2, 2, 4, 1, 0, 0, math.NaN()}
	var jac Jacobians[float64]
	jac.Form(NewDenseOperator(2, 2, 2, data))
	got := make([]float64, 2)
	jac.HalfLogDet(got)
	if !math.IsInf(got[0], -1) || !math.IsNaN(got[1]) {
		t.Errorf("singular/NaN: %v", got)
	}
	jac.Form(NewDenseOperator(1, 2, 3, []float64{1, 2, 3, 4, 5, 6}))
	if jac.HalfLogDet(got); !math.IsInf(got[0], -1) {
		t.Errorf("D < d: %g", got[0])
	}
}

// TestSmallGramSingularValues checks the Gram-eigenvalue path against the
// true values: relative accuracy ~ε·(s_1/s_i)².
func TestSmallGramSingularValues(t *testing.T) {
	rng := spRand(34)
	const B, D, d = 3, 40, 12
	for _, sp := range allSpectra {
		data, sv := batchWithSpectrum(rng, B, D, d, sp)
		var jac Jacobians[float64]
		jac.Form(NewDenseOperator(B, D, d, data))
		got := make([]float64, B*d)
		jac.GramSingularValues(got)
		for b := 0; b < B; b++ {
			s1 := sv[b][0]
			for i, want := range sv[b] {
				// Absolute error ~ε·s_1²/s_i, i.e. ≲ √ε·s_1 for s_i → 0.
				tol := 1e-14*s1*s1/math.Max(want, 1e-8*s1) + 1e-14*s1
				if g := got[b*d+i]; math.Abs(g-want) > tol {
					t.Errorf("%v op %d: s_%d = %.15g, want %.15g", sp, b, i, g, want)
				}
			}
		}
	}
}

// TestSmallLogDetBounds checks SPEC §3(a): d·log s_min ≤ top-k bound ≤ exact,
// k = 0 giving the s_min bound and k = d the exact value, with the true
// singular values and with solver estimates (randomized top-k, converged
// LOBPCG).
func TestSmallLogDetBounds(t *testing.T) {
	rng := spRand(32)
	const B, D, d = 3, 24, 10
	for _, sp := range []spectrum{specGeometric, specClustered, specFlat} {
		data, sv := batchWithSpectrum(rng, B, D, d, sp)
		op := NewDenseOperator(B, D, d, data)
		var jac Jacobians[float64]
		jac.Form(op)
		exact := make([]float64, B)
		jac.HalfLogDet(exact)
		const slack = 1e-12
		for b := 0; b < B; b++ {
			sMin := sv[b][d-1]
			lo := LogDetSMin(d, sMin)
			if LogDetTopK(nil, d, sMin) != lo {
				t.Errorf("k = 0 is not the s_min bound")
			}
			if e := LogDetTopK(sv[b], d, sMin); math.Abs(e-exact[b]) > 1e-9*math.Abs(exact[b])+slack {
				t.Errorf("%v: k = d gives %g, exact %g", sp, e, exact[b])
			}
			prev := lo
			for k := 0; k <= d; k++ {
				v := LogDetTopK(sv[b][:k], d, sMin)
				if v < prev-slack || v > exact[b]+1e-9 {
					t.Errorf("%v: k = %d bound %g not in [%g, %g]", sp, k, v, prev, exact[b])
				}
				prev = v
			}
		}

		// With estimates: top-4 from the randomized SVD, s_min from LOBPCG.
		r := NewRandSVD[float64](4, 1)
		var top SVDResult[float64]
		if err := r.Compute(op, &top); err != nil {
			t.Fatal(err)
		}
		l := NewLOBPCG[float64](2)
		l.Tol, l.MaxIter = 1e-10, 2000
		var sm SMinResult[float64]
		if err := l.Solve(op, nil, &sm); err != nil {
			t.Fatal(err)
		}
		lower, refined := make([]float64, B), make([]float64, B)
		LogDetBounds[float64](nil, &sm, lower)
		LogDetBounds(&top, &sm, refined)
		for b := 0; b < B; b++ {
			if !(lower[b] <= refined[b]+1e-12 && refined[b] <= exact[b]+1e-8) {
				t.Errorf("%v op %d: s_min bound %g, top-k %g, exact %g", sp, b, lower[b], refined[b], exact[b])
			}
			if sp == specGeometric && refined[b]-lower[b] < 1 {
				t.Errorf("%v op %d: top-k bound %g barely above s_min bound %g", sp, b, refined[b], lower[b])
			}
		}
	}
	// Top values below s_min are clamped: never looser than d·log s_min.
	if got, want := LogDetTopK([]float64{0.5, 0.1}, 4, 0.2), math.Log(0.5)+3*math.Log(0.2); math.Abs(got-want) > 1e-15 {
		t.Errorf("clamped top-k = %g, want %g", got, want)
	}
}

// TestSmallLinearGenerator is SPEC §8's linear generator G(z) = Az + b with
// d = D: the exact entropy term is log|det A|, for the 2×2 closed form and
// the general path alike, and the LOBPCG / randomized bounds bracket it.
func TestSmallLinearGenerator(t *testing.T) {
	rng := spRand(33)
	for _, n := range []int{2, 5} {
		a := make([]float64, n*n)
		spNormals(rng, a)
		want := math.Log(math.Abs(detLU(a, n)))
		op := NewDenseOperator(1, n, n, a)
		var jac Jacobians[float64]
		jac.Form(op)
		got := make([]float64, 1)
		jac.HalfLogDet(got)
		if math.Abs(got[0]-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("n = %d: ½ log det AᵀA = %.15g, log|det A| = %.15g", n, got[0], want)
		}
		l := NewLOBPCG[float64](3)
		l.Tol, l.MaxIter = 1e-12, 1000
		var sm SMinResult[float64]
		if err := l.Solve(op, nil, &sm); err != nil {
			t.Fatal(err)
		}
		if b := LogDetSMin(n, sm.Values[0]); b > want+1e-9 {
			t.Errorf("n = %d: s_min bound %g above log|det A| = %g", n, b, want)
		}
	}
}

// detLU returns det of the row-major n×n a by Gaussian elimination with
// partial pivoting (an independent check of the log-det paths).
func detLU(a []float64, n int) float64 {
	m := append([]float64(nil), a...)
	det := 1.0
	for k := 0; k < n; k++ {
		p := k
		for i := k + 1; i < n; i++ {
			if math.Abs(m[i*n+k]) > math.Abs(m[p*n+k]) {
				p = i
			}
		}
		if p != k {
			for j := 0; j < n; j++ {
				m[k*n+j], m[p*n+j] = m[p*n+j], m[k*n+j]
			}
			det = -det
		}
		det *= m[k*n+k]
		for i := k + 1; i < n; i++ {
			f := m[i*n+k] / m[k*n+k]
			for j := k; j < n; j++ {
				m[i*n+j] -= f * m[k*n+j]
			}
		}
	}
	return det
}

// TestSmallJacobiansNoAllocs checks that the exact log-det path allocates
// nothing once its buffers have grown (it runs every step in the 2-D toy
// problems). The values-only SVD and eigenvalue paths are left out: gonum's
// Dlasrt allocates in sort.Reverse.
func TestSmallJacobiansNoAllocs(t *testing.T) {
	rng := spRand(35)
	for _, sz := range [][2]int{{2, 2}, {20, 6}} {
		data, _ := batchWithSpectrum(rng, 8, sz[0], sz[1], specGeometric)
		op := NewDenseOperator(8, sz[0], sz[1], spToT[float32](data))
		var jac Jacobians[float32]
		dst := make([]float64, 8)
		if n := testing.AllocsPerRun(5, func() {
			jac.Form(op)
			jac.HalfLogDet(dst)
		}); n != 0 {
			t.Errorf("%v: %v allocations per call", sz, n)
		}
	}
}
