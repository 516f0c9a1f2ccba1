package trainer

import (
	"math"

	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/ebmcpu/ebmcpu/trainer/data"
)

// EnergyGrid is the energy of a 2-D model on an n×n midpoint grid over a
// box, with the log-normaliser of exp(−E) on that box (float64 log-sum-exp).
type EnergyGrid struct {
	Box  data.Box
	N    int
	E    []float64 // E[j*N+i] at (X(i), Y(j))
	LogZ float64   // log ∫_box exp(−E)
}

// X returns the centre of column i.
func (g *EnergyGrid) X(i int) float64 { return g.Box.Min[0] + (float64(i)+0.5)*g.cell(0) }

// Y returns the centre of row j.
func (g *EnergyGrid) Y(j int) float64 { return g.Box.Min[1] + (float64(j)+0.5)*g.cell(1) }

func (g *EnergyGrid) cell(axis int) float64 {
	return (g.Box.Max[axis] - g.Box.Min[axis]) / float64(g.N)
}

// LogDensity returns log p(x) = −E − log Z at grid cell (i, j).
func (g *EnergyGrid) LogDensity(i, j int) float64 { return -g.E[j*g.N+i] - g.LogZ }

// NewEnergyGrid evaluates energy (plus confine·‖x‖²) on the grid in batches
// of the workspace's size, in Eval mode.
func NewEnergyGrid(ws *nn.Workspace[float32], confine float64, box data.Box, n int) *EnergyGrid {
	g := &EnergyGrid{Box: box, N: n, E: make([]float64, n*n)}
	B := ws.MaxBatch()
	x := make([]float32, 2*B)
	for start := 0; start < n*n; start += B {
		cnt := min(B, n*n-start)
		for k := 0; k < cnt; k++ {
			i, j := (start+k)%n, (start+k)/n
			x[2*k], x[2*k+1] = float32(g.X(i)), float32(g.Y(j))
		}
		e := ws.Forward(x[:2*cnt], nn.Eval)
		for k := 0; k < cnt; k++ {
			px, py := float64(x[2*k]), float64(x[2*k+1])
			g.E[start+k] = float64(e[k]) + confine*(px*px+py*py)
		}
	}
	m := math.Inf(1)
	for _, v := range g.E {
		m = math.Min(m, v)
	}
	var s float64
	for _, v := range g.E {
		s += math.Exp(m - v)
	}
	g.LogZ = -m + math.Log(s) + math.Log(g.cell(0)*g.cell(1))
	return g
}
