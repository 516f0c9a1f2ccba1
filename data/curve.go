package data

import "math"

// curveDensity is the law of c(s) + N(0, σ²I) with the curve parameter s
// drawn from a density q(s): p(x) = ∫ q(s) N(x; c(s), σ²I) ds. The integral
// is replaced once by composite 8-point Gauss–Legendre quadrature whose
// panels span at most 2σ of arc length. The rule's error bound for a
// Gaussian of width σ over such a panel, 2¹⁷(8!)⁴/(17(16!)³)·max|∂¹⁶e^(−s²/2)|,
// is about 4e-12 of the panel's integral; the tests find that twice as many
// panels change no log-density above −25 nats by more than 1e-9. (Far in the
// tails, where the integrand along the curve is sharper, the error grows:
// ~1e-4 at −100 nats, which is irrelevant to entropies and KL estimates.) The density is then a Gaussian
// mixture over the nodes, evaluated by log-sum-exp.
//
// For speed the nodes of each panel are bounded by a disc: a panel whose
// bound lies 40 nats below the best panel's exact value cannot change the
// float64 sum and is skipped, so a query costs one pass over the panels
// plus the few panels near it.
type curveDensity struct {
	x, y, logw []float64 // node positions and log weights (q·GL weight·Gaussian normaliser)
	panels     []panel
	sigma      float64
}

// panel bounds the nodes [lo, lo+len(glNodes)): all lie within rho of
// (cx, cy), and none has a log weight above maxw.
type panel struct {
	cx, cy, rho, maxw float64
	lo                int
}

// glNodes are the 8-point Gauss–Legendre nodes and weights on [−1, 1].
var glNodes, glWeights = gaussLegendre(8)

// gaussLegendre returns the n-point Gauss–Legendre rule on [−1, 1] by Newton
// iteration on the Legendre polynomial P_n.
func gaussLegendre(n int) (x, w []float64) {
	x, w = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		z := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(n) + 0.5))
		var dp float64
		for iter := 0; iter < 100; iter++ {
			p0, p1 := 1.0, z // P_0, P_1; the recurrence runs up to P_n
			for k := 2; k <= n; k++ {
				p0, p1 = p1, ((2*float64(k)-1)*z*p1-(float64(k)-1)*p0)/float64(k)
			}
			dp = float64(n) * (z*p1 - p0) / (z*z - 1)
			dz := p1 / dp
			z -= dz
			if math.Abs(dz) < 1e-16 {
				break
			}
		}
		x[i], w[i] = z, 2/((1-z*z)*dp*dp)
	}
	return x, w
}

// curveSegment is one piece of a curve: parameter range [a, b], point c(s),
// parameter density q(s) (which includes the piece's mixture weight) and
// the number of Gauss–Legendre panels.
type curveSegment struct {
	a, b   float64
	c      func(s float64) (float64, float64)
	q      func(s float64) float64
	panels int
}

func newCurveDensity(sigma float64, segs ...curveSegment) *curveDensity {
	d := &curveDensity{sigma: sigma}
	lognorm := -math.Log(2 * math.Pi * sigma * sigma)
	for _, sg := range segs {
		h := (sg.b - sg.a) / float64(sg.panels)
		for p := 0; p < sg.panels; p++ {
			mid := sg.a + (float64(p)+0.5)*h
			pn := panel{lo: len(d.x), maxw: math.Inf(-1)}
			for k, z := range glNodes {
				s := mid + z*h/2
				x, y := sg.c(s)
				lw := math.Log(sg.q(s)*glWeights[k]*h/2) + lognorm
				d.x = append(d.x, x)
				d.y = append(d.y, y)
				d.logw = append(d.logw, lw)
				pn.cx += x / float64(len(glNodes))
				pn.cy += y / float64(len(glNodes))
				pn.maxw = math.Max(pn.maxw, lw)
			}
			for i := pn.lo; i < len(d.x); i++ {
				pn.rho = math.Max(pn.rho, math.Hypot(d.x[i]-pn.cx, d.y[i]-pn.cy))
			}
			pn.rho *= 1 + 1e-12 // rounding
			d.panels = append(d.panels, pn)
		}
	}
	return d
}

// bound returns an upper bound on the log terms of panel p at (x, y).
func (p *panel) bound(x, y, inv float64) float64 {
	r := max(math.Hypot(x-p.cx, y-p.cy)-p.rho, 0)
	return p.maxw - r*r*inv
}

func (d *curveDensity) logDensity(x, y float64) float64 {
	inv := 1 / (2 * d.sigma * d.sigma)
	best, bestUB := 0, math.Inf(-1)
	for i := range d.panels {
		if ub := d.panels[i].bound(x, y, inv); ub > bestUB {
			best, bestUB = i, ub
		}
	}
	// The exact maximum over the most promising panel sets the cut-off.
	m := math.Inf(-1)
	for i := d.panels[best].lo; i < d.panels[best].lo+len(glNodes); i++ {
		dx, dy := x-d.x[i], y-d.y[i]
		m = math.Max(m, d.logw[i]-(dx*dx+dy*dy)*inv)
	}
	var s float64
	for p := range d.panels {
		if d.panels[p].bound(x, y, inv) <= m-negligibleLog {
			continue
		}
		for i := d.panels[p].lo; i < d.panels[p].lo+len(glNodes); i++ {
			dx, dy := x-d.x[i], y-d.y[i]
			v := d.logw[i] - (dx*dx+dy*dy)*inv
			if v > m { // rescale to the new maximum
				s *= math.Exp(m - v)
				m = v
			}
			if v-m > -negligibleLog {
				s += math.Exp(v - m)
			}
		}
	}
	return m + math.Log(s)
}

func (d *curveDensity) gridStep() float64 { return d.sigma / 4 }

// moonsDensity is the density of moons (affine) or moons-raw: θ ~ U(0, π) on
// each arc with probability ½, so q = 1/(2π) per arc; the affine map
// scales positions and σ by 2. panelScale multiplies the panel count (tests).
func moonsDensity(affine bool, panelScale int) *curveDensity {
	k, bx, by, sigma := 1.0, 0.0, 0.0, 0.1
	if affine {
		k, bx, by, sigma = 2, -1, -0.2, 0.2
	}
	q := func(float64) float64 { return 1 / (2 * math.Pi) }
	// Arc length kπ per arc, σ = 0.1k: 16 panels are ≤ 2σ long.
	n := 16 * panelScale
	upper := curveSegment{0, math.Pi, func(t float64) (float64, float64) {
		return k*math.Cos(t) + bx, k*math.Sin(t) + by
	}, q, n}
	lower := curveSegment{0, math.Pi, func(t float64) (float64, float64) {
		return k*(1-math.Cos(t)) + bx, k*(0.5-math.Sin(t)) + by
	}, q, n}
	return newCurveDensity(sigma, upper, lower)
}

// swissrollDensity: t ~ U(1.5π, 4.5π), c(t) = (t cos t, t sin t)/5, σ = 0.2.
// The speed |c'(t)| = √(1 + t²)/5 < 2.9, so 70 panels of 3π/70 ≈ 0.13 in t
// span less than 2σ of arc length.
func swissrollDensity(panelScale int) *curveDensity {
	seg := curveSegment{1.5 * math.Pi, 4.5 * math.Pi, func(t float64) (float64, float64) {
		s, c := math.Sincos(t)
		return t * c / 5, t * s / 5
	}, func(float64) float64 { return 1 / (3 * math.Pi) }, 70 * panelScale}
	return newCurveDensity(0.2, seg)
}
