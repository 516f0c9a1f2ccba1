package reference

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// GMMOptions configures FitGMM and FitGMMK. Zero fields take the defaults.
type GMMOptions struct {
	KMax      int     // largest K tried by FitGMM (default 30)
	Restarts  int     // seeded fits per finalist K, the best on training data kept (default 3)
	Finalists int     // K > 1 values that get Restarts fits; the others get one (default 3)
	MaxIter   int     // EM iteration cap (default 500)
	Tol       float64 // stop when the mean training log-likelihood gains less (default 1e-5)
	Ridge     float64 // ε added to covariances, in units of the data's variances (default 1e-6)
	Seed      uint64  // seeds every fit's stream
}

// Limits on the options, checked before allocating.
const (
	maxK        = 1 << 12
	maxRestarts = 1 << 10
	lloydIters  = 10
	gmmGrain    = 256 // points per parallel chunk in LogDensity
)

func (o GMMOptions) withDefaults() (GMMOptions, error) {
	if o.KMax == 0 {
		o.KMax = 30
	}
	if o.Restarts == 0 {
		o.Restarts = 3
	}
	if o.Finalists == 0 {
		o.Finalists = 3
	}
	if o.MaxIter == 0 {
		o.MaxIter = 500
	}
	if o.Tol == 0 {
		o.Tol = 1e-5
	}
	if o.Ridge == 0 {
		o.Ridge = 1e-6
	}
	switch {
	case o.KMax < 1 || o.KMax > maxK:
		return o, fmt.Errorf("reference: KMax %d out of range [1, %d]", o.KMax, maxK)
	case o.Restarts < 1 || o.Restarts > maxRestarts:
		return o, fmt.Errorf("reference: Restarts %d out of range [1, %d]", o.Restarts, maxRestarts)
	case o.Finalists < 1 || o.Finalists > maxK:
		return o, fmt.Errorf("reference: Finalists %d out of range [1, %d]", o.Finalists, maxK)
	case o.MaxIter < 1:
		return o, fmt.Errorf("reference: MaxIter %d, want at least 1", o.MaxIter)
	case !(o.Tol > 0) || math.IsInf(o.Tol, 0):
		return o, fmt.Errorf("reference: Tol %v, want finite and positive", o.Tol)
	case !(o.Ridge > 0) || o.Ridge > 1:
		return o, fmt.Errorf("reference: Ridge %v out of range (0, 1]", o.Ridge)
	}
	return o, nil
}

// A GMM is a Gaussian mixture with full covariances.
type GMM struct {
	std     standardizer
	mix     *mixture
	trainLL float64
	valLL   float64
	scores  []KScore
}

// A KScore records the fit kept for one K.
type KScore struct {
	K              int
	TrainLL, ValLL float64 // mean log-likelihoods (ValLL NaN for FitGMMK)
	Restarts       int     // seeded fits run for this K
	Iters          int     // EM iterations of the kept fit
	Converged      bool    // whether it met Tol before MaxIter
	LiveComponents int     // components not dropped
}

// FitGMM fits mixtures with K = 1..KMax components to train and returns the
// one chosen by its mean log-likelihood on val (both n×d, row-major): the
// smallest K within one standard error of the best (see the package
// documentation).
func FitGMM(train, val []float64, d int, opt GMMOptions) (*GMM, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	n, std, z, err := gmmData(train, d)
	if err != nil {
		return nil, err
	}
	m, err := rows("validation data", val, d)
	if err != nil {
		return nil, err
	}
	kmax := min(opt.KMax, n/(d+1))
	if err := checkMixtureSize(kmax, d); err != nil {
		return nil, err
	}
	zv := std.apply(val)

	// Stage 1: one fit per K; stage 2: Restarts − 1 more for the finalists.
	fits := make([][]fitResult, kmax+1) // fits[K][restart]
	run := func(ks []int, r0, r1 int) {
		type job struct{ k, r int }
		var jobs []job
		for _, k := range ks { // ks descending: the largest first balances the workers
			for r := r0; r < r1; r++ {
				jobs = append(jobs, job{k, r})
			}
		}
		res := make([]fitResult, len(jobs))
		forChunks(len(jobs), 1, func(i, _ int) {
			res[i] = fitEM(z, n, d, jobs[i].k, opt, stream(opt.Seed, uint64(jobs[i].k), uint64(jobs[i].r)))
		})
		for i, j := range jobs {
			fits[j.k] = append(fits[j.k], res[i])
		}
	}
	ks := make([]int, kmax)
	for i := range ks {
		ks[i] = kmax - i
	}
	run(ks, 0, 1)
	vll := make([]float64, kmax+1)
	for _, k := range ks {
		vll[k] = meanLogDensity(fits[k][0].mix, zv, m)
	}
	// Finalists: the K > 1 with the best validation log-likelihood, ties to the smaller K.
	slices.SortStableFunc(ks, func(a, b int) int { return cmp.Or(-cmp.Compare(vll[a], vll[b]), cmp.Compare(a, b)) })
	ks = slices.DeleteFunc(ks, func(k int) bool { return k == 1 })
	ks = ks[:min(len(ks), opt.Finalists)]
	slices.SortFunc(ks, func(a, b int) int { return cmp.Compare(b, a) })
	run(ks, 1, opt.Restarts)

	// Keep the best restart of each K, then choose K.
	g := &GMM{std: std}
	kept := make([]fitResult, kmax+1)
	top := 1
	for k := 1; k <= kmax; k++ {
		best := 0
		for r, f := range fits[k] {
			if f.ll > fits[k][best].ll {
				best = r
			}
		}
		f := fits[k][best]
		if best > 0 {
			vll[k] = meanLogDensity(f.mix, zv, m)
		}
		kept[k] = f
		g.scores = append(g.scores, KScore{K: k, TrainLL: f.ll - std.logScale, ValLL: vll[k] - std.logScale,
			Restarts: len(fits[k]), Iters: f.iters, Converged: f.converged, LiveComponents: f.mix.live()})
		if vll[k] > vll[top] {
			top = k
		}
	}
	k := smallestClose(top, m, func(k int, dst []float64) { kept[k].mix.logDensityZ(dst, zv, m) })
	g.mix, g.trainLL, g.valLL = kept[k].mix, g.scores[k-1].TrainLL, g.scores[k-1].ValLL
	return g, nil
}

// smallestClose returns the smallest K in 1..top whose mean validation
// log-likelihood is within one standard error of that of K = top: the mean
// of the pointwise differences d_i = log p_top(z_i) − log p_K(z_i) is at
// most their standard deviation over √m. logDensity(K, dst) writes the m
// validation log-densities of K's fit to dst.
func smallestClose(top, m int, logDensity func(k int, dst []float64)) int {
	ref := make([]float64, m)
	logDensity(top, ref)
	lp := make([]float64, m)
	for k := 1; k < top; k++ {
		logDensity(k, lp)
		var mean float64
		for i := range lp {
			lp[i] = ref[i] - lp[i]
			mean += lp[i]
		}
		mean /= float64(m)
		var ss float64
		for _, v := range lp {
			ss += (v - mean) * (v - mean)
		}
		if mean <= math.Sqrt(ss/float64(m)/float64(m)) {
			return k
		}
	}
	return top
}

// FitGMMK fits a mixture with k components to train (n×d, row-major),
// keeping the best of opt.Restarts seeded fits by training log-likelihood.
// ValidationLogLik of the result is NaN.
func FitGMMK(train []float64, d, k int, opt GMMOptions) (*GMM, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	n, std, z, err := gmmData(train, d)
	if err != nil {
		return nil, err
	}
	if k < 1 || k > maxK {
		return nil, fmt.Errorf("reference: K %d out of range [1, %d]", k, maxK)
	}
	if n < k*(d+1) {
		return nil, fmt.Errorf("reference: %d training points are too few for K = %d components in dimension %d (want at least K·(D+1) = %d)", n, k, d, k*(d+1))
	}
	if err := checkMixtureSize(k, d); err != nil {
		return nil, err
	}
	res := make([]fitResult, restarts(k, opt))
	forChunks(len(res), 1, func(r, _ int) {
		res[r] = fitEM(z, n, d, k, opt, stream(opt.Seed, uint64(k), uint64(r)))
	})
	best := res[0]
	for _, f := range res[1:] {
		if f.ll > best.ll {
			best = f
		}
	}
	g := &GMM{std: std, mix: best.mix, trainLL: best.ll - std.logScale, valLL: math.NaN()}
	g.scores = []KScore{{K: k, TrainLL: g.trainLL, ValLL: math.NaN(), Restarts: len(res),
		Iters: best.iters, Converged: best.converged, LiveComponents: best.mix.live()}}
	return g, nil
}

func restarts(k int, opt GMMOptions) int {
	if k == 1 {
		return 1
	}
	return opt.Restarts
}

// gmmData validates and standardises the training data.
func gmmData(train []float64, d int) (int, standardizer, []float64, error) {
	n, err := rows("training data", train, d)
	if err != nil {
		return 0, standardizer{}, nil, err
	}
	if n < d+1 {
		return 0, standardizer{}, nil, fmt.Errorf("reference: %d training points are too few for a Gaussian in dimension %d (want at least %d)", n, d, d+1)
	}
	std, err := newStandardizer(train, n, d)
	if err != nil {
		return 0, standardizer{}, nil, err
	}
	return n, std, std.apply(train), nil
}

func checkMixtureSize(k, d int) error {
	if d > maxValues/maxK || k*d*d > maxValues/4 {
		return fmt.Errorf("reference: a mixture of %d components in dimension %d is too large", k, d)
	}
	return nil
}

type fitResult struct {
	mix       *mixture
	ll        float64 // mean training log-likelihood (standardised units)
	iters     int
	converged bool
}

// fitEM runs one seeded EM fit of k components to the n standardised points z.
func fitEM(z []float64, n, d, k int, opt GMMOptions, rng *rand.Rand) fitResult {
	g := newMixture(k, d)
	st := newStats(k, d)
	a := make([]float64, k)
	delta := make([]float64, k*d)
	initKMeans(g, st, z, n, rng, delta)
	g.mStep(st, n, opt.Ridge)
	res := fitResult{mix: g, ll: math.Inf(-1)}
	for res.iters = 1; ; res.iters++ {
		g.eStep(st, z, n, a, delta)
		ll := st.ll / float64(n)
		if ll-res.ll < opt.Tol {
			res.converged = true
		}
		res.ll = ll
		if res.converged || res.iters == opt.MaxIter {
			return res
		}
		g.mStep(st, n, opt.Ridge)
	}
}

// initKMeans seeds k centres by k-means++, runs up to lloydIters Lloyd
// iterations, and leaves in st the statistics of the hard clusters about the
// centres, which it writes to g's means.
func initKMeans(g *mixture, st *stats, z []float64, n int, rng *rand.Rand, scratch []float64) {
	d, k := g.d, g.k
	ctr := g.mean
	dist := make([]float64, n)
	copy(ctr[:d], z[index(rng, n)*d:])
	for i := range n {
		dist[i] = sqDist(z[i*d:(i+1)*d], ctr[:d])
	}
	for c := 1; c < k; c++ {
		var total float64
		for _, v := range dist {
			total += v
		}
		pick := index(rng, n) // all points on centres: uniform
		if total > 0 {
			u := unit(rng) * total
			for i, v := range dist {
				if v > 0 {
					pick = i
				}
				if u -= v; u < 0 && v > 0 {
					break
				}
			}
		}
		copy(ctr[c*d:(c+1)*d], z[pick*d:])
		for i := range n {
			dist[i] = min(dist[i], sqDist(z[i*d:(i+1)*d], ctr[c*d:(c+1)*d]))
		}
	}

	label := make([]int, n)
	for it := 0; it <= lloydIters; it++ {
		changed := false
		for i := range n {
			p := z[i*d : (i+1)*d]
			best, bd := 0, math.Inf(1)
			for c := range k {
				if v := sqDist(p, ctr[c*d:(c+1)*d]); v < bd {
					best, bd = c, v
				}
			}
			if it == 0 || label[i] != best {
				label[i], changed = best, true
			}
		}
		if !changed || it == lloydIters {
			break
		}
		// Move each centre to its cluster's mean; an empty cluster keeps its centre.
		sum := scratch // k×d
		clear(sum)
		clear(st.n)
		for i, c := range label {
			st.n[c]++
			for j, v := range z[i*d : (i+1)*d] {
				sum[c*d+j] += v
			}
		}
		for c := range k {
			if st.n[c] > 0 {
				for j := range d {
					ctr[c*d+j] = sum[c*d+j] / st.n[c]
				}
			}
		}
	}
	st.reset()
	delta := make([]float64, d)
	for i, c := range label {
		for j := range d {
			delta[j] = z[i*d+j] - ctr[c*d+j]
		}
		st.add(c, d, 1, delta)
	}
}

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		e := v - b[j]
		s += e * e
	}
	return s
}

// live counts the components with positive weight.
func (g *mixture) live() int {
	n := 0
	for _, v := range g.logc {
		if !math.IsInf(v, -1) {
			n++
		}
	}
	return n
}

// meanLogDensity returns the mean of log p_z over the m standardised points z.
func meanLogDensity(g *mixture, z []float64, m int) float64 {
	buf := make([]float64, m)
	g.logDensityZ(buf, z, m)
	var s float64
	for _, v := range buf {
		s += v
	}
	return s / float64(m)
}

// logDensityZ writes log p_z for the m standardised points in z to dst.
func (g *mixture) logDensityZ(dst, z []float64, m int) {
	d := g.d
	forChunks(m, gmmGrain, func(lo, hi int) {
		a := make([]float64, g.k)
		delta := make([]float64, g.k*d)
		for i := lo; i < hi; i++ {
			top, sum := g.logTerms(z[i*d:(i+1)*d], a, delta)
			dst[i] = top + math.Log(sum)
		}
	})
}

// Dim returns the dimension of the points.
func (g *GMM) Dim() int { return g.mix.d }

// K returns the number of components, dropped ones included.
func (g *GMM) K() int { return g.mix.k }

// Weights returns the mixture weights π_k (zero for a dropped component).
func (g *GMM) Weights() []float64 { return append([]float64(nil), g.mix.w...) }

// Mean returns the mean of component c in data units.
func (g *GMM) Mean(c int) []float64 {
	d := g.mix.d
	mu := make([]float64, d)
	for j := range d {
		mu[j] = g.std.mean[j] + g.std.scale[j]*g.mix.mean[c*d+j]
	}
	return mu
}

// Covariance returns the covariance of component c in data units (d×d,
// row-major), ridge included.
func (g *GMM) Covariance(c int) []float64 {
	d := g.mix.d
	L := g.mix.chol[c*d*d : (c+1)*d*d]
	cov := make([]float64, d*d)
	for i := range d {
		for j := range d {
			var s float64
			for k := 0; k <= min(i, j); k++ {
				s += L[i*d+k] * L[j*d+k]
			}
			cov[i*d+j] = s * g.std.scale[i] * g.std.scale[j]
		}
	}
	return cov
}

// TrainLogLik returns the mean training log-likelihood of the fit.
func (g *GMM) TrainLogLik() float64 { return g.trainLL }

// ValidationLogLik returns the mean validation log-likelihood of the fit (NaN
// for FitGMMK).
func (g *GMM) ValidationLogLik() float64 { return g.valLL }

// Scores returns, for each K tried in increasing order, the fit kept.
func (g *GMM) Scores() []KScore { return append([]KScore(nil), g.scores...) }

// LogDensity returns log p(x) for each point of x (m×d, row-major).
func (g *GMM) LogDensity(x []float64) ([]float64, error) {
	m, err := rows("query points", x, g.mix.d)
	if err != nil {
		return nil, err
	}
	dst := make([]float64, m)
	g.mix.logDensityZ(dst, g.std.apply(x), m)
	for i := range dst {
		dst[i] -= g.std.logScale
	}
	return dst, nil
}

// Sample returns n points (n×d, row-major) drawn from the mixture with rng.
func (g *GMM) Sample(n int, rng *rand.Rand) ([]float64, error) {
	d := g.mix.d
	if err := checkSample(n, d, rng); err != nil {
		return nil, err
	}
	out := make([]float64, n*d)
	xi := make([]float64, d)
	last := 0
	for c, w := range g.mix.w {
		if w > 0 {
			last = c
		}
	}
	for i := range n {
		u := unit(rng)
		c := last
		for j, w := range g.mix.w {
			if u -= w; u < 0 && w > 0 {
				c = j
				break
			}
		}
		normals(rng, xi)
		L := g.mix.chol[c*d*d : (c+1)*d*d]
		x := out[i*d : (i+1)*d]
		for r := range d {
			v := g.mix.mean[c*d+r]
			for k := 0; k <= r; k++ {
				v += L[r*d+k] * xi[k]
			}
			x[r] = g.std.mean[r] + g.std.scale[r]*v
		}
	}
	return out, nil
}
