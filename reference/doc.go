// Package reference fits two classical density estimators to the same data
// as the energy-based models, so that every result can be read against a
// simple baseline: a Gaussian kernel density estimate (KDE) whose bandwidth
// maximises the held-out log-likelihood, and a Gaussian mixture (GMM) with
// full covariances fitted by EM, its number of components chosen on the
// held-out log-likelihood.
// Both are normalised densities, so their log-likelihoods on test points are
// exact and comparable with an EBM's estimated log-likelihood.
//
// Data are n points of dimension D stored row-major in a []float64: point i
// is x[i·D : (i+1)·D]. Fit fits both estimators from a training and a
// validation sample; FitKDE, NewKDE, FitGMM and FitGMMK fit one. All
// arithmetic is float64. Every result is a function of the inputs and the
// seed only: the same bits for any GOMAXPROCS. Fitted estimators are
// read-only, so LogDensity may be called concurrently.
//
// # Standardisation
//
// Both estimators work in standardised coordinates z = (x − m)/s, with m_d and
// s_d the mean and (population) standard deviation of coordinate d of the
// training sample; a training coordinate with s_d = 0 is an error. The
// Jacobian makes densities in data units
//
//	log p(x) = log p_z(z) − Σ_d log s_d,
//
// so a bandwidth or a ridge is a fraction of each coordinate's spread and the
// estimators do not depend on the units of the coordinates.
//
// # Kernel density estimate
//
// With standardised training points z_1..z_n and bandwidth h (dimensionless,
// so the kernel's standard deviation along coordinate d is h·s_d in data
// units),
//
//	log p_z(z) = logsumexp_i(−‖z − z_i‖²/(2h²)) − log n − (D/2) log(2πh²).
//
// The log-sum-exp is evaluated stably as −r²/(2h²) + log Σ_i exp(−(‖z − z_i‖²
// − r²)/(2h²)) with r the distance to the nearest training point.
//
// The bandwidth maximises the mean validation log-likelihood L(h). The search
// starts at the normal-reference rule h₀ = (4/(D+2))^(1/(D+4)) n^(−1/(D+4))
// (Silverman's; it equals Scott's n^(−1/(D+4)) for D = 2 and is the
// AMISE-optimal bandwidth for normal data), walks the grid h₀·2^(j/2) in the
// improving direction (smaller h first: they are cheaper to evaluate, and
// multimodal data want them) until two steps in a row fail to improve, and
// then refines the best grid point by golden-section search on log h between
// its neighbours to a width of 0.01 (1% in h); the walk ends at h₀·2^(±20),
// which only data with repeated points reach. The bandwidth reported by
// Bandwidth is that h; Scales gives h·s_d in data units. Held-out likelihood
// weighs the tails more than the integrated squared error does, so for
// normal data it prefers about 1.2·h₀ (see TestKDEGaussian).
//
// Evaluation is exact to float64 rounding but not brute force. The training
// points sit in a k-d tree (median splits, leaves of at most 16 points), and a
// query visits the nearer child first, keeping the nearest squared distance
// r² found so far. A term with ‖z − z_i‖² > r² + 2h²τ is below e^(−τ) times
// the largest term, so skipping every such term, and every subtree whose box
// lies that far, changes the sum by a relative amount below n·e^(−τ);
// τ = log n + 40 makes that less than e^(−40) ≈ 4·10⁻¹⁸, under the rounding
// error of the sum itself. For the concentrated 2-D toy sets a query then
// touches a small fraction of the training points; for a broad unimodal
// density it degrades gracefully to the full sum. The exponentials, most
// of the cost, use expNeg, a table-driven e^x for x ≤ 0 accurate to 2 ulp
// and nearly twice as fast as math.Exp. Each query is computed by one
// goroutine in a fixed order, so results do not depend on the thread count.
//
// # Gaussian mixture
//
// A mixture of K Gaussians with weights π_k, means μ_k and full covariances
// Σ_k (in standardised coordinates),
//
//	log p_z(z) = logsumexp_k(log π_k − (D/2) log 2π − log det L_k − ½‖L_k⁻¹(z − μ_k)‖²),
//
// with L_k the lower Cholesky factor of Σ_k. EM alternates the E-step,
// responsibilities r_ik = exp(a_ik − logsumexp_k a_ik) with a_ik the summand
// above, and the M-step,
//
//	N_k = Σ_i r_ik,  π_k = N_k/n,  μ_k = Σ_i r_ik z_i / N_k,
//	Σ_k = Σ_i r_ik (z_i − μ_k)(z_i − μ_k)ᵀ / N_k + εI,
//
// with the ridge ε (default 10⁻⁶, that is 10⁻⁶·s_d² in data units) keeping
// every covariance positive definite and the likelihood bounded. The sums
// are accumulated about the previous means in one pass, which avoids the
// cancellation of the raw second moment. EM stops when the mean training
// log-likelihood gains less than Tol (default 10⁻⁵ nats per point; looser
// tolerances stop EM far from convergence on the ring-shaped toy sets) or
// after MaxIter iterations (default 500); the final parameters are the
// ones whose log-likelihood was last measured. A component whose total
// responsibility N_k falls below 10⁻⁶ points is dropped: its weight becomes
// zero and it stays so, so a fit may end with fewer live components than K.
//
// Each fit starts from k-means++ seeding (the first centre uniform, each
// further centre drawn with probability proportional to the squared distance
// to the nearest centre so far) followed by up to 10 Lloyd iterations; the
// hard clusters give the initial weights, means and covariances (plus ε).
//
// FitGMM chooses K in 1..KMax (default 30) in two stages. First one seeded
// fit is run for every K. Then the Finalists (default 3) values of K > 1 with
// the best validation log-likelihood get Restarts − 1 more fits (default
// Restarts = 3), and for each K the fit with the highest training
// log-likelihood is kept. K is then chosen by the one-standard-error rule:
// with K* the value whose kept fit has the highest mean validation
// log-likelihood, K is the smallest value whose mean falls short of K*'s by
// at most the standard error of the pointwise differences log p_K*(z_i) −
// log p_K(z_i) over the validation points. Where extra components only fit
// noise (a single Gaussian, say) their validation gains are a few 10⁻⁴ nats,
// and the argmax would pick an arbitrary K; the rule picks the simplest
// mixture that held-out data cannot tell from the best, at a cost below one
// standard error. Restarting only the contenders saves two thirds of the
// work of restarting every K (EM on 20000 points with K near 30 takes
// hundreds of iterations), and restarts matter only for the values of K that
// contend for the choice. KMax is lowered to n/(D+1) when the training sample is
// smaller than (D+1)·KMax points, so that every component could in principle
// own D+1 points; FitGMMK, which fits one given K, refuses such a K instead.
// The fits for different (K, restart) pairs run in parallel; each draws from
// its own ChaCha8 stream derived from (Seed, K, restart), so the outcome is
// independent of the thread count.
//
// The E-step skips, like the KDE, terms of the log-sum-exp below e^(−40)
// times the largest; their responsibilities are below 4·10⁻¹⁸.
//
// # Sampling
//
// Sample draws from the fitted density with the caller's *rand.Rand, reading
// only rng.Uint64 through fixed algorithms (uniforms from 53 random bits,
// normals by Box–Muller, indices by multiply-high), so a sample depends only
// on the state of the source. The KDE draws a training point uniformly and
// adds N(0, h²·diag(s²)) noise; the GMM draws a component by its weight and
// returns μ_k + L_k ξ with ξ standard normal, mapped back to data units.
//
// # Cost
//
// At the suite's sizes (20000 training, 5000 validation and 20000 test points
// of a 2-D toy set), measured as CPU time on the shared 2-core EPYC, both
// cores used: FitKDE plus KDE LogDensity on the test points take 3–5 s
// (15–23 bandwidths tried; LogDensity alone well under 1 s), and FitGMM from
// 5 s (25gaussians) to 37 s (rings). Wall time is about half on an idle
// machine.
// The KDE's worst case is a broad unimodal density, where the tree prunes
// nothing: for 20000 points of N(0, I), LogDensity takes 4 s and FitKDE 14 s.
package reference
