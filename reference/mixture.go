package reference

import "math"

const (
	deadCount = 1e-6 // total responsibility below which a component is dropped
	lseCut    = 40   // log-sum-exp terms below e^(−40) ≈ 4·10⁻¹⁸ of the largest are skipped
)

// A mixture is a Gaussian mixture in standardised coordinates. A dropped
// component has logc = −Inf and is skipped.
type mixture struct {
	k, d int
	w    []float64 // weights π_k
	mean []float64 // k×d
	chol []float64 // k×d×d, lower Cholesky factor L_k of Σ_k
	inv  []float64 // k×d×d, L_k⁻¹ (lower)
	logc []float64 // log π_k − (d/2) log 2π − log det L_k
	c2   []comp2   // for d = 2, the same parameters packed (see pack)
}

// pack refreshes the packed copy of the parameters used when d = 2.
func (g *mixture) pack() {
	if g.d != 2 {
		return
	}
	if g.c2 == nil {
		g.c2 = make([]comp2, g.k)
	}
	for c := range g.c2 {
		g.c2[c] = comp2{g.mean[2*c], g.mean[2*c+1], g.inv[4*c], g.inv[4*c+2], g.inv[4*c+3], g.logc[c]}
	}
}

func newMixture(k, d int) *mixture {
	return &mixture{
		k: k, d: d,
		w:    make([]float64, k),
		mean: make([]float64, k*d),
		chol: make([]float64, k*d*d),
		inv:  make([]float64, k*d*d),
		logc: make([]float64, k),
	}
}

// logTerms computes a_k = log π_k + log N(z; μ_k, Σ_k) and returns their
// maximum top and S = Σ_k exp(a_k − top), so that log p(z) = top + log S and
// the responsibilities are exp(a_k − top)/S. It leaves exp(a_k − top) in a
// and z − μ_k in delta[k·d:]. Terms below e^(−lseCut) times the largest are
// left out (they are under the rounding error of S) and their entries in a
// set to 0.
func (g *mixture) logTerms(z, a, delta []float64) (top, sum float64) {
	if g.d == 2 {
		top = g.logTerms2(z, a, delta)
	} else {
		top = g.logTermsD(z, a, delta)
	}
	if math.IsInf(top, -1) { // only when every q overflowed
		clear(a)
		return top, 1
	}
	for c, v := range a {
		if v -= top; v < -lseCut {
			a[c] = 0
		} else {
			a[c] = expNeg(v)
			sum += a[c]
		}
	}
	return top, sum
}

// logTermsD writes a_k to a and z − μ_k to delta[k·d:] for any d, and
// returns max_k a_k. With L_k⁻¹(z − μ_k) = y, a_k = logc_k − ½‖y‖².
func (g *mixture) logTermsD(z, a, delta []float64) (top float64) {
	d := g.d
	top = math.Inf(-1)
	for c := range g.k {
		if math.IsInf(g.logc[c], -1) {
			a[c] = math.Inf(-1)
			continue
		}
		del := delta[c*d : (c+1)*d]
		mu := g.mean[c*d : (c+1)*d]
		for j := range del {
			del[j] = z[j] - mu[j]
		}
		w := g.inv[c*d*d:]
		var q float64
		for i := range d {
			var y float64
			for j, v := range w[i*d : i*d+i+1] {
				y += v * del[j]
			}
			q += y * y
		}
		a[c] = g.logc[c] - 0.5*q
		top = max(top, a[c])
	}
	return top
}

// comp2 packs the parameters of a 2-D component for logTerms2: the mean,
// the entries of L⁻¹ and logc.
type comp2 struct{ mx, my, w00, w10, w11, logc float64 }

// logTerms2 is logTermsD for d = 2, unrolled on packed parameters. A dropped
// component has logc = −Inf, so its a_k is −Inf without a test.
func (g *mixture) logTerms2(z, a, delta []float64) (top float64) {
	top = math.Inf(-1)
	x0, x1 := z[0], z[1]
	a = a[:len(g.c2)]
	delta = delta[:2*len(g.c2)]
	for c, p := range g.c2 {
		dx, dy := x0-p.mx, x1-p.my
		y0 := p.w00 * dx
		y1 := p.w10*dx + p.w11*dy
		v := p.logc - 0.5*(y0*y0+y1*y1)
		a[c] = v
		dd := delta[2*c : 2*c+2 : 2*c+2]
		dd[0], dd[1] = dx, dy
		top = max(top, v)
	}
	return top
}

// stats are the sufficient statistics of an E-step, about the means μ_k of
// the mixture it used: N_k = Σ r_ik, s1_k = Σ r_ik δ_ik, s2_k = Σ r_ik δ_ik δ_ikᵀ
// (upper triangle) with δ_ik = z_i − μ_k.
type stats struct {
	n, s1, s2 []float64
	ll        float64 // Σ_i log p(z_i)
}

func newStats(k, d int) *stats {
	return &stats{n: make([]float64, k), s1: make([]float64, k*d), s2: make([]float64, k*d*d)}
}

func (st *stats) reset() {
	clear(st.n)
	clear(st.s1)
	clear(st.s2)
	st.ll = 0
}

// add accumulates point z with responsibility r for component c, where
// delta = z − μ_c.
func (st *stats) add(c, d int, r float64, delta []float64) {
	st.n[c] += r
	if d == 2 {
		dx, dy := r*delta[0], r*delta[1]
		s1 := st.s1[2*c : 2*c+2]
		s2 := st.s2[4*c : 4*c+4]
		s1[0] += dx
		s1[1] += dy
		s2[0] += dx * delta[0]
		s2[1] += dx * delta[1]
		s2[3] += dy * delta[1]
		return
	}
	s1 := st.s1[c*d : (c+1)*d]
	s2 := st.s2[c*d*d : (c+1)*d*d]
	for i, u := range delta {
		ru := r * u
		s1[i] += ru
		row := s2[i*d : (i+1)*d]
		for j := i; j < d; j++ {
			row[j] += ru * delta[j]
		}
	}
}

// eStep accumulates the statistics of the n points in z under g.
func (g *mixture) eStep(st *stats, z []float64, n int, a, delta []float64) {
	d := g.d
	st.reset()
	for i := range n {
		top, sum := g.logTerms(z[i*d:(i+1)*d], a, delta)
		st.ll += top + math.Log(sum)
		inv := 1 / sum
		for c, e := range a {
			if e > 0 {
				st.add(c, d, e*inv, delta[c*d:(c+1)*d])
			}
		}
	}
}

// mStep replaces the parameters of g by the maximiser given the statistics
// st, which were accumulated about g's current means, with the ridge eps
// added to every covariance. Components with N_k < deadCount are dropped.
func (g *mixture) mStep(st *stats, n int, eps float64) {
	d := g.d
	cov := make([]float64, d*d)
	for c := range g.k {
		nk := st.n[c]
		if math.IsInf(g.logc[c], -1) || nk < deadCount {
			g.drop(c)
			continue
		}
		mu := g.mean[c*d : (c+1)*d]
		s1 := st.s1[c*d : (c+1)*d]
		s2 := st.s2[c*d*d : (c+1)*d*d]
		for i := range d {
			di := s1[i] / nk
			for j := i; j < d; j++ {
				v := s2[i*d+j]/nk - di*s1[j]/nk
				cov[i*d+j], cov[j*d+i] = v, v
			}
			cov[i*d+i] += eps
		}
		for i := range d {
			mu[i] += s1[i] / nk
		}
		g.w[c] = nk / float64(n)
		if !g.setCov(c, cov, eps) {
			g.drop(c)
		}
	}
	g.pack()
}

func (g *mixture) drop(c int) {
	g.w[c] = 0
	g.logc[c] = math.Inf(-1)
}

// setCov factors the covariance cov (d×d, symmetric) of component c and sets
// its factors and normaliser. If rounding makes cov indefinite, the ridge is
// raised tenfold up to six times; it reports false if that fails.
func (g *mixture) setCov(c int, cov []float64, eps float64) bool {
	d := g.d
	L := g.chol[c*d*d : (c+1)*d*d]
	W := g.inv[c*d*d : (c+1)*d*d]
	extra := 0.0
	for range 7 {
		if cholesky(L, cov, d, extra) {
			lowerInverse(W, L, d)
			logDet := 0.0
			for i := range d {
				logDet += math.Log(L[i*d+i])
			}
			g.logc[c] = math.Log(g.w[c]) - 0.5*float64(d)*math.Log(2*math.Pi) - logDet
			return true
		}
		extra = 10*extra + 9*eps
	}
	return false
}

// cholesky writes the lower factor L of a + extra·I (d×d) and reports
// whether it is positive definite.
func cholesky(L, a []float64, d int, extra float64) bool {
	clear(L)
	for i := range d {
		for j := 0; j <= i; j++ {
			s := a[i*d+j]
			if i == j {
				s += extra
			}
			for k := range j {
				s -= L[i*d+k] * L[j*d+k]
			}
			if i == j {
				if !(s > 0) {
					return false
				}
				L[i*d+i] = math.Sqrt(s)
			} else {
				L[i*d+j] = s / L[j*d+j]
			}
		}
	}
	return true
}

// lowerInverse writes W = L⁻¹ for the lower triangular L (d×d).
func lowerInverse(W, L []float64, d int) {
	clear(W)
	for j := range d {
		W[j*d+j] = 1 / L[j*d+j]
		for i := j + 1; i < d; i++ {
			var s float64
			for k := j; k < i; k++ {
				s += L[i*d+k] * W[k*d+j]
			}
			W[i*d+j] = -s / L[i*d+i]
		}
	}
}
