package linalg

import (
	"fmt"
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
)

// checkSMin verifies an LOBPCG result against the explicit matrices: the
// Ritz values are not below the true singular values of the same rank
// (beyond round-off), V is unit, U = Jv/‖Jv‖, and the reported residual is
// ‖JᵀJv − μ²v‖ recomputed from V.
func checkSMin[T asm.Float](t *testing.T, name string, res *SMinResult[T], data []float64, sv [][]float64, round float64) {
	t.Helper()
	B, D, d, m := res.Batch, res.Rows, res.Cols, res.BlockSize
	for b := 0; b < B; b++ {
		jb := data[b*D*d : (b+1)*D*d]
		s1 := sv[b][0]
		for i := 0; i < m; i++ {
			got := res.Values[b*m+i]
			want := sv[b][min(D, d)-1-i]
			if got < want-round*(want+s1) {
				t.Errorf("%s: op %d Ritz value %d = %.17g below σ = %.17g", name, b, i, got, want)
			}
			v, u := tangentRow(res.V, i, b, B, d), tangentRow(res.U, i, b, B, D)
			if n := normT(v); math.Abs(n-1) > 1e3*spEpsOf[T]() {
				t.Errorf("%s: op %d ‖v_%d‖ = %g", name, b, i, n)
			}
			jv := spMatVec(jb, D, d, v)
			if n := normT(jv); n > 1e-12*s1 {
				for j := range jv {
					if math.Abs(jv[j]/n-u[j]) > 1e-9+1e3*spEpsOf[T]()*(s1/n) {
						t.Fatalf("%s: op %d u_%d ≠ Jv/‖Jv‖ at %d: %g vs %g", name, b, i, j, u[j], jv[j]/n)
					}
				}
			}
			r := spMatTVec(jb, D, d, jv)
			for j := range r {
				r[j] -= got * got * v[j]
			}
			if rn := normT(r); math.Abs(rn-res.Residual[b*m+i]) > 1e-10*s1*s1+1e3*spEpsOf[T]()*s1*s1 {
				t.Errorf("%s: op %d residual %g reported, %g recomputed", name, b, res.Residual[b*m+i], rn)
			}
		}
	}
}

// TestLOBPCGConverges runs LOBPCG to a tolerance on every test spectrum and
// checks the value against gonum's dense SVD; it also checks that no
// truncated run (0…25 iterations) goes below s_min.
func TestLOBPCGConverges(t *testing.T) {
	rng := spRand(20)
	const B, D, d = 2, 30, 10
	for _, sp := range allSpectra {
		data, sv := batchWithSpectrum(rng, B, D, d, sp)
		op := NewDenseOperator(B, D, d, data)
		const tol = 1e-8
		l := NewLOBPCG[float64](1)
		l.Tol, l.MaxIter = tol, 2000
		var res SMinResult[float64]
		if err := l.Solve(op, nil, &res); err != nil {
			t.Fatal(err)
		}
		checkSMin(t, sp.String(), &res, data, sv, 1e-12)
		for b := 0; b < B; b++ {
			got, want := res.Values[b], sv[b][d-1]
			switch sp {
			case specRankDef:
				// s_min = 0: the relative tolerance cannot be met, the
				// value must still reach round-off level.
				if got > 1e-7*sv[b][0] {
					t.Errorf("%v: op %d s_min = %g, want 0", sp, b, got)
				}
			case specCond1e6:
				// Unpreconditioned LOBPCG needs O(√((s_1/s_min)²/gap))
				// iterations here (~1e5) and the residual floor ε·s_1² is
				// 1e-4·s_min²: only progress can be asked for.
				if got > 1.5*want {
					t.Errorf("%v: op %d s_min = %g, want %g (%d iterations, residual %g)", sp, b, got, want, res.Iters[b], res.Residual[b])
				}
			default:
				if !res.Converged[b] {
					t.Errorf("%v: op %d not converged in %d iterations (residual %g)", sp, b, res.Iters[b], res.Residual[b])
				}
				if math.Abs(got-want) > tol*want {
					t.Errorf("%v: op %d s_min = %.15g, want %.15g", sp, b, got, want)
				}
			}
		}
		for it := 0; it <= 25; it++ {
			l := NewLOBPCG[float64](uint64(it))
			l.MaxIter = it
			if err := l.Solve(op, nil, &res); err != nil {
				t.Fatal(err)
			}
			for b := 0; b < B; b++ {
				if res.Iters[b] != it || res.Converged[b] {
					t.Fatalf("fixed count %d: iters %d, converged %v", it, res.Iters[b], res.Converged[b])
				}
			}
			checkSMin(t, fmt.Sprintf("%v/iter%d", sp, it), &res, data, sv, 1e-12)
		}
	}
}

// TestLOBPCGBlock checks a block of 3: with a tolerance the smallest pair
// converges (the others are guard vectors); run long enough, the block holds
// the three smallest singular values, ascending, with orthonormal vectors.
func TestLOBPCGBlock(t *testing.T) {
	rng := spRand(21)
	const B, D, d, m = 2, 25, 9, 3
	data, sv := batchWithSpectrum(rng, B, D, d, specGeometric)
	l := NewLOBPCG[float64](3)
	l.BlockSize, l.Tol, l.MaxIter = m, 1e-9, 2000
	var res SMinResult[float64]
	if err := l.Solve(NewDenseOperator(B, D, d, data), nil, &res); err != nil {
		t.Fatal(err)
	}
	checkSMin(t, "block", &res, data, sv, 1e-12)
	for b := 0; b < B; b++ {
		if want := sv[b][d-1]; !res.Converged[b] || math.Abs(res.Values[b*m]-want) > 1e-9*want {
			t.Errorf("op %d: s_min = %.15g, want %.15g (converged %v)", b, res.Values[b*m], want, res.Converged[b])
		}
	}
	l.Tol, l.MaxIter = 0, 400
	if err := l.Solve(NewDenseOperator(B, D, d, data), nil, &res); err != nil {
		t.Fatal(err)
	}
	checkSMin(t, "block/fixed", &res, data, sv, 1e-12)
	for b := 0; b < B; b++ {
		for i := 0; i < m; i++ {
			want := sv[b][d-1-i]
			if got := res.Values[b*m+i]; math.Abs(got-want) > 1e-8*want {
				t.Errorf("op %d value %d = %.15g, want %.15g", b, i, got, want)
			}
			for j := 0; j < i; j++ {
				if g := asm.Dot(tangentRow(res.V, i, b, B, d), tangentRow(res.V, j, b, B, d)); math.Abs(g) > 1e-8 {
					t.Errorf("op %d ⟨v_%d, v_%d⟩ = %g", b, i, j, g)
				}
			}
		}
	}
	// A block as large as d is exact after the initial Rayleigh–Ritz.
	l.BlockSize, l.MaxIter, l.Tol = d, 3, 0
	if err := l.Solve(NewDenseOperator(B, D, d, data), nil, &res); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		for i := 0; i < d; i++ {
			if got, want := res.Values[b*d+i], sv[b][d-1-i]; math.Abs(got-want) > 1e-10*sv[b][0] {
				t.Errorf("full block: op %d value %d = %g, want %g", b, i, got, want)
			}
		}
	}
}

// TestLOBPCGLongRunStaysConsistent runs far past convergence, where the
// implicitly updated images JX and JP would drift from J·X without the error
// bookkeeping (dropping P, recomputing JX): the Ritz values must stay at or
// above the true ones and U = JV/‖JV‖ must hold.
func TestLOBPCGLongRunStaysConsistent(t *testing.T) {
	rng := spRand(27)
	const B, D, d = 2, 25, 9
	refreshed := false
	for _, sp := range []spectrum{specGeometric, specFlat, specClustered} {
		data, sv := batchWithSpectrum(rng, B, D, d, sp)
		for _, m := range []int{1, 3} {
			l := NewLOBPCG[float64](9)
			l.BlockSize, l.MaxIter = m, 300
			var res SMinResult[float64]
			if err := l.Solve(NewDenseOperator(B, D, d, data), nil, &res); err != nil {
				t.Fatal(err)
			}
			checkSMin(t, fmt.Sprintf("%v/m%d", sp, m), &res, data, sv, 1e-12)
			refreshed = refreshed || l.refreshes > 0
		}
	}
	if !refreshed {
		t.Error("no run recomputed JX: the refresh path is untested")
	}
}

// TestLOBPCGFloat32 checks the float32 path against the float64 truth of
// the rounded matrices.
func TestLOBPCGFloat32(t *testing.T) {
	rng := spRand(22)
	const B, D, d = 3, 40, 8
	data, sv := batchWithSpectrum(rng, B, D, d, specClustered)
	data32 := spToT[float32](data)
	for i, x := range data32 {
		data[i] = float64(x)
	}
	for b := 0; b < B; b++ {
		sv[b] = denseSV(data[b*D*d:(b+1)*D*d], D, d)
	}
	l := NewLOBPCG[float32](4)
	l.Tol, l.MaxIter = 1e-4, 500
	var res SMinResult[float32]
	if err := l.Solve(NewDenseOperator(B, D, d, data32), nil, &res); err != nil {
		t.Fatal(err)
	}
	checkSMin(t, "float32", &res, data, sv, 1e-6)
	for b := 0; b < B; b++ {
		if got, want := res.Values[b], sv[b][d-1]; !res.Converged[b] || math.Abs(got-want) > 1e-4*want {
			t.Errorf("op %d s_min = %g, want %g (converged %v)", b, got, want, res.Converged[b])
		}
	}
}

// TestLOBPCGWarmStart checks that a warm start from the previous result
// needs no more iterations to converge, and that zero and non-finite warm
// rows are replaced by random starts.
func TestLOBPCGWarmStart(t *testing.T) {
	rng := spRand(23)
	const B, D, d = 3, 30, 10
	data, sv := batchWithSpectrum(rng, B, D, d, specGeometric)
	op := NewDenseOperator(B, D, d, data)
	l := NewLOBPCG[float64](5)
	l.Tol, l.MaxIter = 1e-6, 2000
	var cold, warm SMinResult[float64]
	if err := l.Solve(op, nil, &cold); err != nil {
		t.Fatal(err)
	}
	l.Tol = 1e-9
	if err := l.Solve(op, cold.V, &warm); err != nil {
		t.Fatal(err)
	}
	l2 := *l
	var ref SMinResult[float64]
	if err := l2.Solve(op, nil, &ref); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		if warm.Iters[b] >= ref.Iters[b] {
			t.Errorf("op %d: warm start took %d iterations, cold %d", b, warm.Iters[b], ref.Iters[b])
		}
	}
	checkSMin(t, "warm", &warm, data, sv, 1e-12)

	// Passing the result's own V as warm start (aliasing) is allowed.
	if err := l.Solve(op, warm.V, &warm); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		if warm.Iters[b] > 1 || math.Abs(warm.Values[b]-sv[b][d-1]) > 1e-9*sv[b][d-1] {
			t.Errorf("op %d: re-warm took %d iterations, value %g", b, warm.Iters[b], warm.Values[b])
		}
	}

	bad := make([]float64, B*d)
	for j := range bad {
		bad[j] = 1
	}
	clear(bad[0*d : 1*d])    // op 0: zero row
	bad[1*d+3] = math.NaN()  // op 1: NaN
	bad[2*d+5] = math.Inf(1) // op 2: Inf
	l.Tol, l.MaxIter = 0, 2
	var res SMinResult[float64]
	if err := l.Solve(op, bad, &res); err != nil {
		t.Fatal(err)
	}
	checkSMin(t, "bad warm", &res, data, sv, 1e-12)
	for b := 0; b < B; b++ {
		if res.NonFinite[b] || math.IsNaN(res.Values[b]) {
			t.Errorf("op %d: bad warm row not replaced", b)
		}
	}
}

// TestLOBPCGBatchMatchesSingle checks bit-for-bit agreement between a batch
// and its operators run one at a time, and determinism for a fixed seed.
func TestLOBPCGBatchMatchesSingle(t *testing.T) {
	testLOBPCGBatchMatchesSingle[float64](t)
	testLOBPCGBatchMatchesSingle[float32](t)
}

func testLOBPCGBatchMatchesSingle[T asm.Float](t *testing.T) {
	rng := spRand(24)
	const B, D, d = 4, 20, 7
	data, _ := batchWithSpectrum(rng, B, D, d, specGeometric)
	dataT := spToT[T](data)
	for _, tol := range []float64{0, 1e-3} {
		l := NewLOBPCG[T](77)
		l.Tol, l.MaxIter = tol, 30
		var all, again SMinResult[T]
		if err := l.Solve(NewDenseOperator(B, D, d, dataT), nil, &all); err != nil {
			t.Fatal(err)
		}
		if err := l.Solve(NewDenseOperator(B, D, d, dataT), nil, &again); err != nil {
			t.Fatal(err)
		}
		if !spSameBits(all.Values, again.Values) || !spSameBits(all.V, again.V) || !spSameBits(all.U, again.U) {
			t.Error("same seed, different results")
		}
		for b := 0; b < B; b++ {
			one := NewLOBPCG[T](77)
			one.Tol, one.MaxIter, one.Offset = tol, 30, b
			var res SMinResult[T]
			if err := one.Solve(NewDenseOperator(1, D, d, dataT[b*D*d:(b+1)*D*d]), nil, &res); err != nil {
				t.Fatal(err)
			}
			if !spSameBits(res.Values, all.Values[b:b+1]) || !spSameBits(res.Residual, all.Residual[b:b+1]) ||
				res.Iters[0] != all.Iters[b] ||
				!spSameBits(tangentRow(res.V, 0, 0, 1, d), tangentRow(all.V, 0, b, B, d)) || !spSameBits(tangentRow(res.U, 0, 0, 1, D), tangentRow(all.U, 0, b, B, D)) {
				t.Errorf("tol %g op %d: alone %v (%d it), in batch %v (%d it)", tol, b, res.Values, res.Iters[0], all.Values[b], all.Iters[b])
			}
		}
	}
}

// TestLOBPCGNonFinite checks operators with NaN/Inf entries: flagged, no
// panic, NaN values, and the other operators unaffected (bit-for-bit).
func TestLOBPCGNonFinite(t *testing.T) {
	rng := spRand(25)
	const B, D, d = 4, 15, 6
	data, sv := batchWithSpectrum(rng, B, D, d, specGeometric)
	clean := append([]float64(nil), data...)
	data[2*D*d+4] = math.NaN()
	data[3*D*d] = math.Inf(1)
	l := NewLOBPCG[float64](8)
	l.MaxIter = 5
	var res, ref SMinResult[float64]
	if err := l.Solve(NewDenseOperator(B, D, d, data), nil, &res); err != nil {
		t.Fatal(err)
	}
	if err := l.Solve(NewDenseOperator(B, D, d, clean), nil, &ref); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		if bad := b >= 2; bad != res.NonFinite[b] {
			t.Errorf("op %d NonFinite = %v", b, res.NonFinite[b])
		} else if bad {
			if !math.IsNaN(res.Values[b]) || !spAllFinite(tangentRow(res.V, 0, b, B, d)) {
				t.Errorf("op %d: value %g, vector %v", b, res.Values[b], tangentRow(res.V, 0, b, B, d))
			}
		} else if res.Values[b] != ref.Values[b] || res.Values[b] < sv[b][d-1] {
			t.Errorf("op %d: %g, without bad neighbours %g", b, res.Values[b], ref.Values[b])
		}
	}
}

func TestLOBPCGSettingsErrors(t *testing.T) {
	op := NewDenseOperator(1, 5, 3, make([]float64, 15))
	var res SMinResult[float64]
	for _, l := range []*LOBPCG[float64]{
		{BlockSize: 0, MaxIter: 1}, {BlockSize: 4, MaxIter: 1}, {BlockSize: 1, MaxIter: -1},
		{BlockSize: 1, Tol: -1}, {BlockSize: 1, Tol: math.NaN()}, {BlockSize: 1, Tol: math.Inf(1)},
	} {
		if l.Solve(op, nil, &res) == nil {
			t.Errorf("%+v: no error", *l)
		}
	}
	// A zero operator: s_min = 0 with no panic.
	if err := NewLOBPCG[float64](1).Solve(op, nil, &res); err != nil || res.Values[0] != 0 {
		t.Errorf("zero operator: %v, %v", err, res.Values)
	}
}

// TestLOBPCGNoAllocs checks that a warmed-up solver allocates nothing.
func TestLOBPCGNoAllocs(t *testing.T) {
	rng := spRand(26)
	data, _ := batchWithSpectrum(rng, 3, 30, 10, specGeometric)
	op := NewDenseOperator(3, 30, 10, spToT[float32](data))
	l := NewLOBPCG[float32](1)
	l.BlockSize = 2
	var res SMinResult[float32]
	if n := testing.AllocsPerRun(5, func() { _ = l.Solve(op, res.V, &res) }); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

// TestLOBPCGSkipFinalResidual: with Tol = 0, SkipFinalResidual saves one
// product (the last ApplyT) and leaves Residual NaN (not an earlier iteration's), with the same
// values, vectors and counts; with Tol > 0 it changes nothing.
func TestLOBPCGSkipFinalResidual(t *testing.T) {
	rng := spRand(27)
	const B, D, d = 3, 20, 6
	data, _ := batchWithSpectrum(rng, B, D, d, specGeometric)
	for _, tol := range []float64{0, 1e-3} {
		var res [2]SMinResult[float64]
		var calls [2]int
		for i, skip := range []bool{false, true} {
			op := &countingOp[float64]{op: NewDenseOperator(B, D, d, data)}
			l := NewLOBPCG[float64](9)
			l.Tol, l.MaxIter, l.BlockSize, l.SkipFinalResidual = tol, 3, 2, skip
			if err := l.Solve(op, nil, &res[i]); err != nil {
				t.Fatal(err)
			}
			calls[i] = op.applies
		}
		full, skipped := &res[0], &res[1]
		if !spSameBits(full.Values, skipped.Values) || !spSameBits(full.V, skipped.V) || !spSameBits(full.U, skipped.U) {
			t.Errorf("tol %g: skipping the final residual changed the result", tol)
		}
		for b := 0; b < B; b++ {
			if full.Iters[b] != skipped.Iters[b] || full.Converged[b] != skipped.Converged[b] {
				t.Errorf("tol %g op %d: iterations %d/%d, converged %v/%v", tol, b, full.Iters[b], skipped.Iters[b], full.Converged[b], skipped.Converged[b])
			}
		}
		wantCalls := calls[0]
		if tol == 0 {
			wantCalls--
		}
		if calls[1] != wantCalls {
			t.Errorf("tol %g: %d products with the skip, %d without", tol, calls[1], calls[0])
		}
		for i, r := range skipped.Residual {
			if (tol == 0) != math.IsNaN(r) || math.IsNaN(full.Residual[i]) {
				t.Errorf("tol %g: residual %d is %v with the skip, %v without", tol, i, r, full.Residual[i])
			}
		}
	}
}
