package eval

import "math"

// quadEnergy is E(x) = ½(x − μ)ᵀP(x − μ) + c: the closed-form test energy,
// with log ∫ exp(−E) = (D/2)·log 2π − ½·log det P − c.
type quadEnergy struct {
	P  [][]float64
	mu []float64
	c  float64
}

func (q quadEnergy) Dim() int { return len(q.P) }

func (q quadEnergy) Energy(x, e []float64) { q.EnergyGrad(x, e, nil) }

func (q quadEnergy) EnergyGrad(x, e, g []float64) {
	D := q.Dim()
	for b := range len(x) / D {
		xb := x[b*D : (b+1)*D]
		var s float64
		for i := range D {
			var pi float64
			for j := range D {
				pi += q.P[i][j] * (xb[j] - q.mu[j])
			}
			s += (xb[i] - q.mu[i]) * pi
			if g != nil {
				g[b*D+i] = pi
			}
		}
		e[b] = s/2 + q.c
	}
}

// logZ is the closed form, by Cholesky for log det P.
func (q quadEnergy) logZ() float64 {
	D := q.Dim()
	L := make([][]float64, D)
	for i := range L {
		L[i] = make([]float64, D)
	}
	var logDet float64
	for j := 0; j < D; j++ {
		s := q.P[j][j]
		for k := 0; k < j; k++ {
			s -= L[j][k] * L[j][k]
		}
		L[j][j] = math.Sqrt(s)
		logDet += 2 * math.Log(L[j][j])
		for i := j + 1; i < D; i++ {
			t := q.P[i][j]
			for k := 0; k < j; k++ {
				t -= L[i][k] * L[j][k]
			}
			L[i][j] = t / L[j][j]
		}
	}
	return float64(D)/2*math.Log(2*math.Pi) - logDet/2 - q.c
}

// coneEnergy is E(x) = a‖x‖ (2-D): it grows only linearly, like a PReLU
// network, and ∫_{R²} exp(−a‖x‖) = 2π/a².
type coneEnergy struct{ a float64 }

func (c coneEnergy) Dim() int { return 2 }

func (c coneEnergy) Energy(x, e []float64) {
	for b := range e[:len(x)/2] {
		e[b] = c.a * math.Hypot(x[2*b], x[2*b+1])
	}
}

func (c coneEnergy) EnergyGrad(x, e, g []float64) {
	c.Energy(x, e)
	for b := range e[:len(x)/2] {
		r := math.Max(math.Hypot(x[2*b], x[2*b+1]), 1e-300)
		g[2*b], g[2*b+1] = c.a*x[2*b]/r, c.a*x[2*b+1]/r
	}
}
