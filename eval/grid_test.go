package eval

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/data"
)

func square(b float64) data.Box { return data.Box{Min: [2]float64{-b, -b}, Max: [2]float64{b, b}} }

// TestGridGaussian checks the grid log Z of a correlated, shifted Gaussian
// energy against the closed form, with every convergence field.
func TestGridGaussian(t *testing.T) {
	q := quadEnergy{P: [][]float64{{2, 0.6}, {0.6, 1}}, mu: []float64{0.3, -0.5}, c: 1.5}
	want := q.logZ()
	r, g, err := CheckGrid(q, square(9), 200)
	if err != nil {
		t.Fatal(err)
	}
	if d := float64(r.LogZ) - want; math.Abs(d) > 1e-9 {
		t.Errorf("log Z = %.12f, closed form %.12f (diff %.2g)", float64(r.LogZ), want, d)
	}
	if g.LogZ != float64(r.LogZ) || g.N != 200 || len(g.E) != 200*200 {
		t.Errorf("grid and report disagree")
	}
	if math.Abs(float64(r.RefineChange)) > 1e-9 || math.Abs(float64(r.GrowChange)) > 1e-9 || r.EdgeMass > 1e-12 {
		t.Errorf("converged grid reports refine %g, grow %g, edge %g", r.RefineChange, r.GrowChange, r.EdgeMass)
	}
	if !r.Resolved || r.NormalisedOnBox || r.Note != "" {
		t.Errorf("converged grid: resolved %v, on box %v, note %q", r.Resolved, r.NormalisedOnBox, r.Note)
	}
	if r.GrownN != 300 || float64(r.GrownBox[1]) != 13.5 {
		t.Errorf("grown grid: %d cells, box %v; want 300 cells on ±13.5", r.GrownN, r.GrownBox)
	}
	// The density integrates to one on the grid.
	var mass float64
	for j := range g.N {
		for i := range g.N {
			mass += math.Exp(g.LogDensity(i, j))
		}
	}
	if c := (18.0 / 200) * (18.0 / 200); math.Abs(mass*c-1) > 1e-12 {
		t.Errorf("density integrates to %v", mass*c)
	}
}

// TestGridCoarse: a grid with cells wider than the Gaussian reports a
// large refinement change and is not resolved.
func TestGridCoarse(t *testing.T) {
	q := quadEnergy{P: [][]float64{{25, 0}, {0, 25}}, mu: []float64{0.1, 0}}
	r, _, err := CheckGrid(q, square(4), 8)
	if err != nil {
		t.Fatal(err)
	}
	fine, _ := NewGrid(q, square(4), 16)
	if float64(r.RefineChange) != fine.LogZ-float64(r.LogZ) {
		t.Errorf("refine change %v, want %v", r.RefineChange, fine.LogZ-float64(r.LogZ))
	}
	if r.Resolved || math.Abs(float64(r.RefineChange)) < 0.05 || r.Note == "" {
		t.Errorf("a 1-cell-per-σ grid is reported resolved (change %v, note %q)", r.RefineChange, r.Note)
	}
}

// TestGridSmallBox: on a box that cuts the Gaussian the grid integrates
// over the box (closed form by erf), and the report says normalised on the
// box with the grown box's change matching the closed form too.
func TestGridSmallBox(t *testing.T) {
	p := []float64{1, 3}
	q := quadEnergy{P: [][]float64{{p[0], 0}, {0, p[1]}}, mu: []float64{0, 0}}
	onBox := func(b float64) float64 {
		var s float64
		for _, pi := range p {
			s += math.Log(math.Sqrt(2*math.Pi/pi) * math.Erf(b*math.Sqrt(pi/2)))
		}
		return s
	}
	r, _, err := CheckGrid(q, square(1), 400)
	if err != nil {
		t.Fatal(err)
	}
	if d := float64(r.LogZ) - onBox(1); math.Abs(d) > 1e-5 {
		t.Errorf("log Z on [−1,1]² = %v, closed form %v", r.LogZ, onBox(1))
	}
	if d := float64(r.GrowChange) - (onBox(1.5) - onBox(1)); math.Abs(d) > 1e-5 {
		t.Errorf("grow change %v, closed form %v", r.GrowChange, onBox(1.5)-onBox(1))
	}
	if !r.NormalisedOnBox || r.EdgeMass < 0.001 {
		t.Errorf("a box cutting the density is not flagged: edge mass %v", r.EdgeMass)
	}
}

// TestGridLinearEnergy: E = a‖x‖, the tail of a PReLU energy. A box of a
// few decay lengths misses much mass and is flagged; a wide one converges
// to 2π/a².
func TestGridLinearEnergy(t *testing.T) {
	c := coneEnergy{a: 1}
	r, _, err := CheckGrid(c, square(5), 100)
	if err != nil {
		t.Fatal(err)
	}
	if !r.NormalisedOnBox || !(r.GrowChange > GrowTol) {
		t.Errorf("E = ‖x‖ on [−5,5]²: not flagged (grow %v, edge %v)", r.GrowChange, r.EdgeMass)
	}
	if !(float64(r.LogZ) < math.Log(2*math.Pi)) {
		t.Errorf("box log Z %v exceeds log Z on R² %v", r.LogZ, math.Log(2*math.Pi))
	}
	wide, _, err := CheckGrid(c, square(40), 800)
	if err != nil {
		t.Fatal(err)
	}
	if wide.NormalisedOnBox {
		t.Errorf("E = ‖x‖ on [−40,40]² flagged (grow %v, edge %v)", wide.GrowChange, wide.EdgeMass)
	}
	// The cone's kink at 0 limits the midpoint rule to about 1e-4 here.
	if d := float64(wide.LogZ) - math.Log(2*math.Pi); math.Abs(d) > 1e-3 {
		t.Errorf("log Z = %v, want log 2π = %v", wide.LogZ, math.Log(2*math.Pi))
	}
}

// TestGridErrors: bad shapes and a non-finite energy are errors.
func TestGridErrors(t *testing.T) {
	if _, err := NewGrid(quadEnergy{P: [][]float64{{1}}, mu: []float64{0}}, square(1), 10); err == nil {
		t.Error("1-D energy accepted")
	}
	if _, err := NewGrid(coneEnergy{1}, square(1), 2); err == nil {
		t.Error("2 cells accepted")
	}
	if _, err := NewGrid(coneEnergy{1}, square(0), 10); err == nil {
		t.Error("empty box accepted")
	}
	if _, err := NewGrid(coneEnergy{math.NaN()}, square(1), 10); err == nil {
		t.Error("NaN energy accepted")
	}
}

// TestGridPlane: a Gaussian wider than the data's box has mass beyond it;
// the grid grows until the mass outside is negligible and its log Z over
// the plane matches the closed form, where the box's log Z falls short.
func TestGridPlane(t *testing.T) {
	q := quadEnergy{P: [][]float64{{0.25, 0}, {0, 0.25}}, mu: []float64{0.5, 0}} // σ = 2
	want := q.logZ()
	r, _, err := CheckGrid(q, square(3), 100)
	if err != nil {
		t.Fatal(err)
	}
	if !r.NormalisedOnBox || float64(r.LogZ) > want-0.1 {
		t.Fatalf("the base box should miss mass: log Z %v, closed form %v", r.LogZ, want)
	}
	if !r.PlaneConverged || math.Abs(float64(r.PlaneLogZ)-want) > 2e-3 {
		t.Errorf("plane log Z %v (converged %v, %d cells), closed form %v", r.PlaneLogZ, r.PlaneConverged, r.PlaneN, want)
	}
	// Exp(−E) that is not integrable: the growth stops at the cell limit.
	flat := quadEnergy{P: [][]float64{{1e-9, 0}, {0, 1e-9}}, mu: []float64{0, 0}}
	r, _, err = CheckGrid(flat, square(3), 100)
	if err != nil {
		t.Fatal(err)
	}
	if r.PlaneConverged || r.PlaneN > MaxPlaneCells {
		t.Errorf("a flat energy: converged %v at %d cells (limit %d)", r.PlaneConverged, r.PlaneN, MaxPlaneCells)
	}
}
