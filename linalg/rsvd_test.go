package linalg

import (
	"fmt"
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
)

// checkTopK verifies a randomized top-k result against the true singular
// values sv[b] of the explicit matrices data:
//   - σ̃_i ≤ σ_i (a projection cannot enlarge singular values),
//   - σ_i² ≤ σ̃_i² + ε² with ε the error estimate (Weyl on JᵀJ),
//   - ‖J v_i − σ̃_i u_i‖ = ‖(I−QQᵀ)J v_i‖ ≤ ε,
//   - V and U have orthonormal columns.
//
// round is the absolute round-off allowance relative to σ_1.
func checkTopK[T asm.Float](t *testing.T, name string, res *SVDResult[T], data []float64, sv [][]float64, round float64) {
	t.Helper()
	B, D, d, K := res.Batch, res.Rows, res.Cols, res.K
	for b := 0; b < B; b++ {
		if !res.OK[b] {
			t.Errorf("%s: operator %d not OK", name, b)
			continue
		}
		eps := res.ErrEst[b]
		tol := round * sv[b][0]
		jb := data[b*D*d : (b+1)*D*d]
		for i := 0; i < K; i++ {
			got, want := res.Values[b*K+i], sv[b][i]
			if got > want+tol {
				t.Errorf("%s: op %d σ̃_%d = %.17g exceeds σ_%d = %.17g", name, b, i, got, i, want)
			}
			if want > math.Sqrt(got*got+eps*eps)+tol {
				t.Errorf("%s: op %d σ_%d = %g > sqrt(σ̃² + ε²) = %g (ε = %g)", name, b, i, want, math.Sqrt(got*got+eps*eps), eps)
			}
			if i > 0 && got > res.Values[b*K+i-1] {
				t.Errorf("%s: op %d values not descending", name, b)
			}
			v, u := tangentRow(res.V, i, b, B, d), tangentRow(res.U, i, b, B, D)
			jv := spMatVec(jb, D, d, v)
			for j := range jv {
				jv[j] -= got * u[j]
			}
			if r := normT(jv); r > eps+tol {
				t.Errorf("%s: op %d ‖Jv_%d − σ̃u_%d‖ = %g > ε = %g", name, b, i, i, r, eps)
			}
			for j := 0; j <= i; j++ {
				want := 0.0
				if j == i {
					want = 1
				}
				vj, uj := tangentRow(res.V, j, b, B, d), tangentRow(res.U, j, b, B, D)
				if g := asm.Dot(v, vj); math.Abs(g-want) > 1e3*spEpsOf[T]() {
					t.Errorf("%s: op %d ⟨v_%d, v_%d⟩ = %g", name, b, i, j, g)
				}
				// u_i is orthonormal only where σ̃_i > 0.
				if got > 1e-6*sv[b][0] {
					if g := asm.Dot(u, uj); math.Abs(g-want) > 1e3*spEpsOf[T]() {
						t.Errorf("%s: op %d ⟨u_%d, u_%d⟩ = %g", name, b, i, j, g)
					}
				}
			}
		}
	}
}

// TestSVDRandomizedSpectra runs the randomized SVD on every test spectrum,
// with both orthonormalisations, and checks the result within its error
// estimate; where the spectrum decays past ℓ the values must also be close.
func TestSVDRandomizedSpectra(t *testing.T) {
	rng := spRand(10)
	const B, D, d = 3, 50, 20
	for _, sp := range allSpectra {
		data, sv := batchWithSpectrum(rng, B, D, d, sp)
		op := NewDenseOperator(B, D, d, data)
		for _, orth := range []OrthMethod{OrthCholQR2, OrthHouseholder} {
			for _, q := range []int{0, 1, 2} {
				name := fmt.Sprintf("%v/orth%d/q%d", sp, orth, q)
				r := NewRandSVD[float64](5, 42)
				r.Oversample, r.PowerIters, r.Orth, r.Method = 5, q, orth, SVDRandomized
				var res SVDResult[float64]
				if err := r.Compute(op, &res); err != nil {
					t.Fatal(err)
				}
				checkTopK(t, name, &res, data, sv, 1e-12)
				if orth == OrthHouseholder && res.Fallbacks != 0 {
					t.Errorf("%s: %d fallbacks without CholeskyQR2", name, res.Fallbacks)
				}
				// Geometric decay 0.7 with ℓ = 10 and q = 2: (σ_11/σ_5)^5 ≈ 2e-4
				// per power step; the top values are accurate to ~1e-8.
				if q == 2 && (sp == specGeometric || sp == specFlat || sp == specRankDef) {
					for b := 0; b < B; b++ {
						for i := 0; i < 5; i++ {
							if e := math.Abs(res.Values[b*5+i]-sv[b][i]) / sv[b][i]; e > 1e-6 {
								t.Errorf("%s: op %d σ_%d relative error %g", name, b, i, e)
							}
						}
					}
				}
			}
		}
	}
}

// TestSVDWideOperator covers D < d (ℓ capped by D) and K = min(D, d) with
// no oversampling: the top-D values of a wide matrix are all its values.
func TestSVDWideOperator(t *testing.T) {
	rng := spRand(16)
	const B, D, d = 2, 6, 15
	data, sv := batchWithSpectrum(rng, B, D, d, specGeometric)
	op := NewDenseOperator(B, D, d, data)
	for _, k := range []int{3, D} {
		r := NewRandSVD[float64](k, 4)
		if k == D {
			r.Oversample = 0
		}
		var res SVDResult[float64]
		if err := r.Compute(op, &res); err != nil {
			t.Fatal(err)
		}
		checkTopK(t, fmt.Sprintf("wide/k%d", k), &res, data, sv, 1e-12)
		for b := 0; b < B; b++ {
			for i := 0; i < k; i++ {
				if e := math.Abs(res.Values[b*k+i] - sv[b][i]); e > 1e-12 {
					t.Errorf("k = %d op %d: σ_%d error %g (Q spans all of R^D)", k, b, i, e)
				}
			}
			if res.ErrEst[b] > 1e-12 {
				t.Errorf("k = %d op %d: error estimate %g, want ~0", k, b, res.ErrEst[b])
			}
		}
	}
}

// TestSVDCholQR2Fallback checks that CholeskyQR2 falls back to Householder
// on exactly rank-deficient blocks and not on well-conditioned ones, and
// that both give the same values.
func TestSVDCholQR2Fallback(t *testing.T) {
	rng := spRand(11)
	const B, D, d = 2, 40, 16
	for _, sp := range []spectrum{specGeometric, specRankDef} {
		data, _ := batchWithSpectrum(rng, B, D, d, sp)
		op := NewDenseOperator(B, D, d, data)
		var a, h SVDResult[float64]
		r := NewRandSVD[float64](4, 7)
		r.Oversample = 8 // ℓ = 12 > rank 8 for rankdef
		r.Method = SVDRandomized
		if err := r.Compute(op, &a); err != nil {
			t.Fatal(err)
		}
		r.Orth = OrthHouseholder
		if err := r.Compute(op, &h); err != nil {
			t.Fatal(err)
		}
		if sp == specRankDef && a.Fallbacks == 0 {
			t.Errorf("%v: no Householder fallback on a rank-deficient block", sp)
		}
		if sp == specGeometric && a.Fallbacks != 0 {
			t.Errorf("%v: %d fallbacks on a well-conditioned block", sp, a.Fallbacks)
		}
		for i := range a.Values {
			if math.Abs(a.Values[i]-h.Values[i]) > 1e-12 {
				t.Errorf("%v: CholQR2 %g vs Householder %g", sp, a.Values[i], h.Values[i])
			}
		}
	}
}

// TestSVDRandomizedFloat32 runs the float32 path: the values agree with the
// float64 truth to float32 accuracy and stay within the error estimate.
func TestSVDRandomizedFloat32(t *testing.T) {
	rng := spRand(12)
	const B, D, d = 4, 60, 24
	data, sv := batchWithSpectrum(rng, B, D, d, specGeometric)
	data32 := spToT[float32](data)
	for i, x := range data32 {
		data[i] = float64(x) // the truth is the rounded matrix
	}
	for b := 0; b < B; b++ {
		sv[b] = denseSV(data[b*D*d:(b+1)*D*d], D, d)
	}
	for _, m := range []SVDMethod{SVDRandomized, SVDExact} {
		r := NewRandSVD[float32](6, 5)
		r.Method = m
		var res SVDResult[float32]
		if err := r.Compute(NewDenseOperator(B, D, d, data32), &res); err != nil {
			t.Fatal(err)
		}
		checkTopK(t, fmt.Sprintf("float32/method%d", m), &res, data, sv, 1e-5)
		for b := 0; b < B; b++ {
			for i := 0; i < 6; i++ {
				if e := math.Abs(res.Values[b*6+i]-sv[b][i]) / sv[b][i]; e > 1e-5 {
					t.Errorf("method %d: op %d σ_%d relative error %g", m, b, i, e)
				}
			}
		}
	}
}

// TestSVDBatchMatchesSingle checks that every operator of a batch gets
// bit-for-bit the result it gets alone (with the matching stream offset),
// and that a fixed seed gives identical results while another seed does not.
func TestSVDBatchMatchesSingle(t *testing.T) {
	for _, m := range []SVDMethod{SVDRandomized, SVDExact} {
		testSVDBatchMatchesSingle[float64](t, m)
		testSVDBatchMatchesSingle[float32](t, m)
	}
}

func testSVDBatchMatchesSingle[T asm.Float](t *testing.T, method SVDMethod) {
	rng := spRand(13)
	const B, D, d, K = 5, 30, 12, 3
	data, _ := batchWithSpectrum(rng, B, D, d, specGeometric)
	dataT := spToT[T](data)
	r := NewRandSVD[T](K, 99)
	r.Method = method
	var all, again SVDResult[T]
	if err := r.Compute(NewDenseOperator(B, D, d, dataT), &all); err != nil {
		t.Fatal(err)
	}
	if err := r.Compute(NewDenseOperator(B, D, d, dataT), &again); err != nil {
		t.Fatal(err)
	}
	if !spSameBits(all.Values, again.Values) || !spSameBits(all.V, again.V) || !spSameBits(all.U, again.U) || !spSameBits(all.ErrEst, again.ErrEst) {
		t.Error("same seed, different results")
	}
	for b := 0; b < B; b++ {
		single := NewRandSVD[T](K, 99)
		single.Offset, single.Method = b, method
		var one SVDResult[T]
		if err := single.Compute(NewDenseOperator(1, D, d, dataT[b*D*d:(b+1)*D*d]), &one); err != nil {
			t.Fatal(err)
		}
		if !spSameBits(one.Values, all.Values[b*K:(b+1)*K]) || math.Float64bits(one.ErrEst[0]) != math.Float64bits(all.ErrEst[b]) {
			t.Errorf("op %d: values alone %v, in batch %v", b, one.Values, all.Values[b*K:(b+1)*K])
		}
		for i := 0; i < K; i++ {
			if !spSameBits(tangentRow(one.V, i, 0, 1, d), tangentRow(all.V, i, b, B, d)) ||
				!spSameBits(tangentRow(one.U, i, 0, 1, D), tangentRow(all.U, i, b, B, D)) {
				t.Errorf("op %d: vector %d differs between batch and single", b, i)
			}
		}
	}
	if method == SVDExact {
		return // no random draws
	}
	other := NewRandSVD[T](K, 100)
	other.Method = method
	var diff SVDResult[T]
	if err := other.Compute(NewDenseOperator(B, D, d, dataT), &diff); err != nil {
		t.Fatal(err)
	}
	if spSameBits(diff.V, all.V) {
		t.Error("different seeds gave bit-identical vectors")
	}
}

// TestSVDNonFinite puts NaN and Inf into some operators: those are flagged
// and the others get exactly the result they get without the bad ones.
func TestSVDNonFinite(t *testing.T) {
	rng := spRand(14)
	const B, D, d, K = 4, 20, 8, 2
	data, _ := batchWithSpectrum(rng, B, D, d, specGeometric)
	clean := append([]float64(nil), data...)
	data[1*D*d+5] = math.NaN()
	data[3*D*d+17] = math.Inf(-1)
	for _, m := range []SVDMethod{SVDRandomized, SVDExact} {
		testSVDNonFinite(t, m, data, clean, B, D, d, K)
	}
}

func testSVDNonFinite(t *testing.T, method SVDMethod, data, clean []float64, B, D, d, K int) {
	r := NewRandSVD[float64](K, 3)
	r.Method = method
	var res, ref SVDResult[float64]
	if err := r.Compute(NewDenseOperator(B, D, d, data), &res); err != nil {
		t.Fatal(err)
	}
	if err := r.Compute(NewDenseOperator(B, D, d, clean), &ref); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		bad := b == 1 || b == 3
		if res.OK[b] == bad {
			t.Errorf("op %d: OK = %v", b, res.OK[b])
		}
		vals := res.Values[b*K : (b+1)*K]
		if bad {
			for i := 0; i < K; i++ {
				if !math.IsNaN(vals[i]) || normT(tangentRow(res.V, i, b, B, d)) != 0 {
					t.Errorf("op %d: bad operator gave value %g", b, vals[i])
				}
			}
		} else if !spSameBits(vals, ref.Values[b*K:(b+1)*K]) {
			t.Errorf("op %d: %v, without bad neighbours %v", b, vals, ref.Values[b*K:(b+1)*K])
		}
	}
}

func TestSVDSettingsErrors(t *testing.T) {
	op := NewDenseOperator(1, 5, 3, make([]float64, 15))
	var res SVDResult[float64]
	for _, r := range []*RandSVD[float64]{
		{K: 0}, {K: 4}, {K: 2, Oversample: -1}, {K: 2, PowerIters: -1}, {K: 2, Probes: -1}, {K: 2, Method: 7},
	} {
		if r.Compute(op, &res) == nil {
			t.Errorf("%+v: no error", *r)
		}
	}
	// A zero operator is fine: zero values, no panic.
	for _, m := range []SVDMethod{SVDRandomized, SVDExact} {
		r := NewRandSVD[float64](2, 1)
		r.Method = m
		if err := r.Compute(op, &res); err != nil || res.Values[0] != 0 || res.Values[1] != 0 {
			t.Errorf("method %d: zero operator: %v, %v", m, err, res.Values)
		}
	}
}

// TestSVDNoAllocs checks that a warmed-up solver allocates nothing, on
// both routes and with a generic (non-dense) operator.
func TestSVDNoAllocs(t *testing.T) {
	rng := spRand(15)
	data, _ := batchWithSpectrum(rng, 3, 30, 10, specGeometric)
	dense := NewDenseOperator(3, 30, 10, spToT[float32](data))
	for _, op := range []BatchOperator[float32]{dense, &countingOp[float32]{op: dense}} {
		for _, m := range []SVDMethod{SVDRandomized, SVDExact} {
			r := NewRandSVD[float32](3, 1)
			r.Method = m
			var res SVDResult[float32]
			if n := testing.AllocsPerRun(5, func() { _ = r.Compute(op, &res) }); n != 0 {
				t.Errorf("method %d, %T: %v allocations per call", m, op, n)
			}
		}
	}
}

// countingOp hides a DenseOperator behind the interface and records the
// largest number of vectors per call.
type countingOp[T asm.Float] struct {
	op      *DenseOperator[T]
	maxK    int
	applies int
}

func (c *countingOp[T]) Shape() (int, int, int) { return c.op.Shape() }
func (c *countingOp[T]) Apply(v []T, k int, out []T) {
	c.maxK, c.applies = max(c.maxK, k), c.applies+1
	c.op.Apply(v, k, out)
}
func (c *countingOp[T]) ApplyT(w []T, k int, out []T) {
	c.maxK, c.applies = max(c.maxK, k), c.applies+1
	c.op.ApplyT(w, k, out)
}

// TestSVDExactSpectra checks the exact route on every test spectrum, for
// dense and generic operators alike: the values match the dense SVD, V is
// orthonormal, J v_i = σ_i u_i, U is orthonormal where κ² allows, and no
// call carries more than ℓ+Probes vectors.
func TestSVDExactSpectra(t *testing.T) {
	rng := spRand(17)
	const B, D, d, K = 3, 40, 14, 6
	for _, sp := range allSpectra {
		data, sv := batchWithSpectrum(rng, B, D, d, sp)
		dense := NewDenseOperator(B, D, d, data)
		for _, generic := range []bool{false, true} {
			name := fmt.Sprintf("%v/generic%v", sp, generic)
			r := NewRandSVD[float64](K, 1)
			r.Oversample, r.Probes = 1, 2 // ℓ = 7, d = 2ℓ: exact by default
			var op BatchOperator[float64] = dense
			cnt := &countingOp[float64]{op: dense}
			if generic {
				op = cnt
			}
			var res SVDResult[float64]
			if err := r.Compute(op, &res); err != nil {
				t.Fatal(err)
			}
			if !res.Exact {
				t.Fatalf("%s: d = 2ℓ did not take the exact route", name)
			}
			if generic && (cnt.maxK > 9 || cnt.applies != 2) {
				t.Errorf("%s: %d calls of up to %d vectors, want 2 of ≤ ℓ+Probes = 9", name, cnt.applies, cnt.maxK)
			}
			for b := 0; b < B; b++ {
				if !res.OK[b] || res.ErrEst[b] != 0 {
					t.Errorf("%s: op %d OK %v ErrEst %g", name, b, res.OK[b], res.ErrEst[b])
				}
				jb := data[b*D*d : (b+1)*D*d]
				s1 := sv[b][0]
				for i := 0; i < K; i++ {
					got, want := res.Values[b*K+i], sv[b][i]
					if math.Abs(got-want) > 1e-13*s1 {
						t.Errorf("%s: op %d σ_%d = %.16g, want %.16g", name, b, i, got, want)
					}
					if i > 0 && got > res.Values[b*K+i-1] {
						t.Errorf("%s: op %d values not descending", name, b)
					}
					v, u := tangentRow(res.V, i, b, B, d), tangentRow(res.U, i, b, B, D)
					jv := spMatVec(jb, D, d, v)
					for j := range jv {
						jv[j] -= got * u[j]
					}
					if e := normT(jv); e > 1e-14*s1 {
						t.Errorf("%s: op %d ‖Jv − σu‖ = %g", name, b, e)
					}
					for j := 0; j <= i; j++ {
						want := 0.0
						if i == j {
							want = 1
						}
						if g := asm.Dot(v, tangentRow(res.V, j, b, B, d)); math.Abs(g-want) > 1e-13 {
							t.Errorf("%s: op %d ⟨v_%d, v_%d⟩ = %g", name, b, i, j, g)
						}
						sj := res.Values[b*K+j]
						if got > 1e-6*s1 {
							tol := 1e-13 * s1 * s1 / (got * sj)
							if g := asm.Dot(u, tangentRow(res.U, j, b, B, D)); math.Abs(g-want) > tol {
								t.Errorf("%s: op %d ⟨u_%d, u_%d⟩ = %g", name, b, i, j, g)
							}
						}
					}
				}
			}
		}
	}
}

// TestSVDRandomizedCallSizes checks that the randomized route never asks
// an operator for more than ℓ+Probes vectors and makes 2(q+1) calls.
func TestSVDRandomizedCallSizes(t *testing.T) {
	rng := spRand(18)
	const B, D, d = 2, 50, 40
	data, _ := batchWithSpectrum(rng, B, D, d, specGeometric)
	cnt := &countingOp[float64]{op: NewDenseOperator(B, D, d, data)}
	r := NewRandSVD[float64](4, 2)
	r.Oversample, r.PowerIters, r.Probes = 4, 3, 3 // ℓ = 8 < d/2
	var res SVDResult[float64]
	if err := r.Compute(cnt, &res); err != nil {
		t.Fatal(err)
	}
	if res.Exact || cnt.maxK != 11 || cnt.applies != 8 {
		t.Errorf("exact %v, %d calls of up to %d vectors; want randomized, 8 calls, 11 vectors", res.Exact, cnt.applies, cnt.maxK)
	}
}
