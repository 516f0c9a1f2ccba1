package eval

import (
	"fmt"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"math"

	"github.com/ebmcpu/ebmcpu/data"
)

// Grid is a 2-D energy on an N×N midpoint grid over a box, with the log of
// ∫_box exp(−E) by the midpoint rule, summed in float64 with a stable
// log-sum-exp (shifted by the smallest energy).
type Grid struct {
	Box  data.Box
	N    int
	E    []float64 // E[j·N+i] at the centre (X(i), Y(j))
	LogZ float64   // log ∫_box exp(−E) dx, nats
	// EdgeMass is the fraction of the grid's exp(−E) mass in its outer ring
	// of cells (i or j equal to 0 or N−1).
	EdgeMass float64
}

// X returns the centre of column i.
func (g *Grid) X(i int) float64 { return g.Box.Min[0] + (float64(i)+0.5)*g.cell(0) }

// Y returns the centre of row j.
func (g *Grid) Y(j int) float64 { return g.Box.Min[1] + (float64(j)+0.5)*g.cell(1) }

func (g *Grid) cell(axis int) float64 { return (g.Box.Max[axis] - g.Box.Min[axis]) / float64(g.N) }

// LogDensity returns −E − log Z at cell (i, j): the log-density of the model
// normalised on the box.
func (g *Grid) LogDensity(i, j int) float64 { return -g.E[j*g.N+i] - g.LogZ }

// gridChunk is the number of cells evaluated per call of the energy.
const gridChunk = 1024

// NewGrid evaluates en (D = 2) on the n×n midpoint grid over box. A
// non-finite energy anywhere on the grid is an error naming the point.
func NewGrid(en BatchEnergy, box data.Box, n int) (*Grid, error) {
	if en.Dim() != 2 {
		return nil, fmt.Errorf("eval: grid quadrature needs a 2-D energy, got dimension %d", en.Dim())
	}
	w, h := box.Width()
	if n < 3 || !(w > 0) || !(h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return nil, fmt.Errorf("eval: grid of %d cells per side over box %v: want n ≥ 3 and a finite box of positive size", n, box)
	}
	g := &Grid{Box: box, N: n, E: make([]float64, n*n)}
	x := make([]float64, 2*gridChunk)
	for start := 0; start < n*n; start += gridChunk {
		cnt := min(gridChunk, n*n-start)
		for k := 0; k < cnt; k++ {
			i, j := (start+k)%n, (start+k)/n
			x[2*k], x[2*k+1] = g.X(i), g.Y(j)
		}
		en.Energy(x[:2*cnt], g.E[start:start+cnt])
	}
	m := math.Inf(1)
	for k, v := range g.E {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("eval: the energy is %v at (%.4g, %.4g)", v, g.X(k%n), g.Y(k/n))
		}
		m = math.Min(m, v)
	}
	// Row sums keep the partial sums similar in size.
	var total, edge float64
	for j := 0; j < n; j++ {
		var row float64
		for i, v := range g.E[j*n : (j+1)*n] {
			p := math.Exp(m - v)
			row += p
			if i == 0 || i == n-1 || j == 0 || j == n-1 {
				edge += p
			}
		}
		total += row
	}
	g.LogZ = -m + math.Log(total) + math.Log(g.cell(0)*g.cell(1))
	g.EdgeMass = edge / total
	return g, nil
}

// Convergence thresholds of CheckGrid. The box is declared too small (the
// model "normalised on the box") when the outer ring of cells holds more
// than EdgeMassTol of the mass or when growing the box 1.5× raises log Z by
// more than GrowTol nats; the grid is declared resolved when doubling the
// cells per side changes log Z by at most RefineTol nats.
const (
	EdgeMassTol = 1e-3
	GrowTol     = 0.01
	RefineTol   = 0.01
)

// GridReport is the exact log Z of a 2-D model by midpoint quadrature with
// its convergence checks (SPEC §7). Log-normalisers are in nats.
type GridReport struct {
	Box  [4]jsonnum.Float64 `json:"box"` // [x_min, x_max, y_min, y_max] of the base grid
	N    int                `json:"n"`   // cells per side of the base grid
	LogZ jsonnum.Float64    `json:"log_z"`
	// LogZRefined is log Z on the same box with 2N cells per side, and
	// RefineChange = LogZRefined − LogZ (midpoint error is O(cell²) for a
	// smooth energy).
	LogZRefined  jsonnum.Float64 `json:"log_z_refined"`
	RefineChange jsonnum.Float64 `json:"refine_change"`
	// LogZGrown is log Z on the box grown 1.5× about its centre with the
	// same cell size (round(1.5N) cells per side), and GrowChange =
	// LogZGrown − LogZ ≥ 0: the mass the base box misses, up to the grown
	// box.
	GrownBox   [4]jsonnum.Float64 `json:"grown_box"`
	GrownN     int                `json:"grown_n"`
	LogZGrown  jsonnum.Float64    `json:"log_z_grown"`
	GrowChange jsonnum.Float64    `json:"grow_change"`
	// EdgeMass is the fraction of exp(−E) mass of the base grid in its outer
	// ring of cells.
	EdgeMass jsonnum.Float64 `json:"edge_mass"`
	// Resolved: |RefineChange| ≤ RefineTol.
	Resolved bool `json:"resolved"`
	// NormalisedOnBox: EdgeMass > EdgeMassTol or GrowChange > GrowTol. The
	// mass of exp(−E) beyond the box is not negligible (a PReLU energy grows
	// only linearly and exp(−E) may not even be integrable on R²): log Z,
	// the model density and the NLL then refer to the model normalised on
	// the box, and log Z on R² is larger.
	NormalisedOnBox bool   `json:"normalised_on_box"`
	Note            string `json:"note,omitempty"`
	// Plane is log Z over the plane: the box grown 1.5× at a time (same
	// cell size) until the outer ring holds at most EdgeMassTol of the mass
	// and the last growth changed log Z by at most GrowTol, within
	// MaxPlaneCells cells per side. The NLL and the KL gap use it, not the
	// base box's log Z (box-normalised gaps are optimistic when the density
	// reaches the edge). PlaneConverged is false when the growth stopped at
	// the cell limit: exp(−E) then has mass farther out than the grid
	// reaches (or is not integrable), and log Z on R² is larger still.
	PlaneLogZ      jsonnum.Float64    `json:"plane_log_z"`
	PlaneBox       [4]jsonnum.Float64 `json:"plane_box"`
	PlaneN         int                `json:"plane_n"`
	PlaneConverged bool               `json:"plane_converged"`
}

// MaxPlaneCells bounds the cells per side of the grown grid of
// GridReport.Plane (about 9 MB of energies).
const MaxPlaneCells = 1024

func boxArray(b data.Box) [4]jsonnum.Float64 {
	return [4]jsonnum.Float64{jsonnum.Float64(b.Min[0]), jsonnum.Float64(b.Max[0]), jsonnum.Float64(b.Min[1]), jsonnum.Float64(b.Max[1])}
}

// growBox returns box enlarged about its centre to n cells per side of the
// same size as the cells of an m-cell grid on box.
func growBox(box data.Box, m, n int) data.Box {
	var out data.Box
	for a := range 2 {
		c := (box.Min[a] + box.Max[a]) / 2
		half := (box.Max[a] - box.Min[a]) / float64(m) * float64(n) / 2
		out.Min[a], out.Max[a] = c-half, c+half
	}
	return out
}

// CheckGrid computes log Z of en (D = 2) on box with n cells per side and
// its convergence checks, and returns the report and the base grid.
func CheckGrid(en BatchEnergy, box data.Box, n int) (GridReport, *Grid, error) {
	g, err := NewGrid(en, box, n)
	if err != nil {
		return GridReport{}, nil, err
	}
	fine, err := NewGrid(en, box, 2*n)
	if err != nil {
		return GridReport{}, nil, err
	}
	gn := int(math.Round(1.5 * float64(n)))
	gbox := growBox(box, n, gn)
	grown, err := NewGrid(en, gbox, gn)
	if err != nil {
		return GridReport{}, nil, err
	}
	r := GridReport{
		Box: boxArray(box), N: n, LogZ: jsonnum.Float64(g.LogZ),
		LogZRefined: jsonnum.Float64(fine.LogZ), RefineChange: jsonnum.Float64(fine.LogZ - g.LogZ),
		GrownBox: boxArray(gbox), GrownN: gn, LogZGrown: jsonnum.Float64(grown.LogZ), GrowChange: jsonnum.Float64(grown.LogZ - g.LogZ),
		EdgeMass: jsonnum.Float64(g.EdgeMass),
	}
	r.Resolved = math.Abs(fine.LogZ-g.LogZ) <= RefineTol
	if err := growToPlane(en, box, n, g, grown, &r); err != nil {
		return GridReport{}, nil, err
	}
	r.NormalisedOnBox = g.EdgeMass > EdgeMassTol || grown.LogZ-g.LogZ > GrowTol
	switch {
	case r.NormalisedOnBox:
		r.Note = fmt.Sprintf("normalised on the box: %.2g of the mass lies in the outer ring of cells and growing the box 1.5× adds %.3g nats; "+
			"log Z, the density and the NLL refer to the model restricted to the box", g.EdgeMass, grown.LogZ-g.LogZ)
	case !r.Resolved:
		r.Note = fmt.Sprintf("under-resolved: doubling the cells per side changes log Z by %.3g nats", fine.LogZ-g.LogZ)
	}
	if r.NormalisedOnBox && !r.Resolved {
		r.Note += fmt.Sprintf("; also under-resolved: doubling the cells per side changes log Z by %.3g nats", fine.LogZ-g.LogZ)
	}
	return r, g, nil
}

// growToPlane fills the Plane fields of r: from the base grid g (n cells on
// box) and its first growth, it keeps growing the box 1.5× with the same
// cell size until the mass outside is negligible or MaxPlaneCells is
// reached.
func growToPlane(en BatchEnergy, box data.Box, n int, g, grown *Grid, r *GridReport) error {
	cur, curBox, curN := grown, growBox(box, n, grown.N), grown.N
	prev := g
	for !(cur.EdgeMass <= EdgeMassTol && cur.LogZ-prev.LogZ <= GrowTol) {
		next := int(math.Round(1.5 * float64(curN)))
		if next > MaxPlaneCells {
			break
		}
		nextBox := growBox(box, n, next)
		ng, err := NewGrid(en, nextBox, next)
		if err != nil {
			return err
		}
		prev, cur, curBox, curN = cur, ng, nextBox, next
	}
	r.PlaneLogZ, r.PlaneBox, r.PlaneN = jsonnum.Float64(cur.LogZ), boxArray(curBox), curN
	r.PlaneConverged = cur.EdgeMass <= EdgeMassTol && cur.LogZ-prev.LogZ <= GrowTol
	return nil
}
