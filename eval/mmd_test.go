package eval

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
)

func normals(s *nn.Stream, n, D int, shift float64) []float64 {
	x := make([]float64, n*D)
	nn.Normal(s, x)
	for i := range x {
		x[i] += shift
	}
	return x
}

// TestMMDSameAndShifted: MMD² is near zero for two samples of one law
// and clearly positive when one is shifted by one standard deviation.
func TestMMDSameAndShifted(t *testing.T) {
	s := nn.NewStream(1, "mmd")
	const n, D = 1000, 2
	x, y := normals(s, n, D, 0), normals(s, n, D, 0)
	same, h, err := MMD2(x, y, D, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The median distance of N(0, 2I) differences is 2·√(ln 2) ≈ 1.665.
	if math.Abs(h-1.665) > 0.05 {
		t.Errorf("median bandwidth %v, want ≈ 1.665", h)
	}
	shifted, _, err := MMD2(x, normals(s, n, D, 1), D, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("same law %.2g, shifted %.3g", same, shifted)
	if math.Abs(same) > 3e-3 {
		t.Errorf("same law: MMD² = %v, want ≈ 0", same)
	}
	if shifted < 0.05 || shifted < 20*math.Abs(same) {
		t.Errorf("shifted by 1σ: MMD² = %v, want clearly > 0", shifted)
	}
}

// TestMMDUnbiased: over many repeats of small samples of one law the mean
// of MMD²_u is zero within its standard error, while the biased V-statistic
// (diagonal terms included) is clearly positive: the test can tell them
// apart.
func TestMMDUnbiased(t *testing.T) {
	s := nn.NewStream(2, "mmd")
	const reps, n, D, h = 400, 20, 2, 1.0
	u := make([]float64, reps)
	v := make([]float64, reps)
	for r := range reps {
		x, y := normals(s, n, D, 0), normals(s, n, D, 0)
		m, _, err := MMD2(x, y, D, h)
		if err != nil {
			t.Fatal(err)
		}
		u[r] = m
		// V-statistic: add back the diagonal k(x_i, x_i) = 1 terms.
		v[r] = m + 2.0/n - vCorrection(x, y, D, h, n)
	}
	mu, mv := meanSE(u), meanSE(v)
	t.Logf("unbiased %v, V-statistic %v", mu, mv)
	if math.Abs(float64(mu.Value)) > 3*float64(mu.StdErr) {
		t.Errorf("mean MMD²_u = %v: biased", mu)
	}
	if float64(mv.Value) < 10*float64(mv.StdErr) {
		t.Errorf("the V-statistic %v is not clearly biased: the test has no power", mv)
	}
}

// vCorrection converts MMD²_u to the V-statistic's off-diagonal scaling:
// V = (1/n²)(Σ_{i≠j}k_xx + n) + (1/n²)(Σ_{i≠j}k_yy + n) − 2·mean k_xy. Given
// U's terms, V − U = 2/n − (1/(n(n−1)) − 1/n²)(Σ_{i≠j}k_xx + Σ_{i≠j}k_yy);
// the caller adds 2/n and subtracts the returned second part.
func vCorrection(x, y []float64, D int, h float64, n int) float64 {
	inv := 1 / (2 * h * h)
	off := 2*sumKernel(x, x, D, inv, true) + 2*sumKernel(y, y, D, inv, true)
	fn := float64(n)
	return (1/(fn*(fn-1)) - 1/(fn*fn)) * off
}

// TestMedianBandwidth on points with known pairwise distances.
func TestMedianBandwidth(t *testing.T) {
	// Distances among {0, 1, 3} ∪ {6}: 1, 3, 6, 2, 5, 3 → median (3+3)/2 = 3.
	if h := MedianBandwidth([]float64{0, 1, 3}, []float64{6}, 1); h != 3 {
		t.Errorf("median distance %v, want 3", h)
	}
}

func TestMMDErrors(t *testing.T) {
	if _, _, err := MMD2([]float64{1, 2, 3}, []float64{1, 2}, 2, 1); err == nil {
		t.Error("ragged samples accepted")
	}
	if _, _, err := MMD2([]float64{1, 2}, []float64{1, 2, 3, 4}, 2, 1); err == nil {
		t.Error("a single sample accepted")
	}
	if _, _, err := MMD2([]float64{1, 1, 1, 1}, []float64{1, 1, 1, 1}, 2, 0); err == nil {
		t.Error("zero median bandwidth accepted")
	}
}
