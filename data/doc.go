// Package data provides the datasets ebmcpu trains on: the 2-D toy sets of
// SPEC.md §6, CSV tables of floats, and MNIST-style IDX image files, with a
// shuffling batch sampler for the finite ones.
//
// # Toy sets
//
// NewToy(name) returns a set; Toys lists the names. Points are drawn i.i.d.
// from the caller's *rand.Rand (the trainer derives it from the run seed),
// computed in float64 and written as B×2 row-major batches by Sample
// (float64) or Sample32 (float32) without allocating. N(μ, s²I) is an
// isotropic Gaussian with standard deviation s, U(a, b) a uniform law.
//
//	name          definition
//	swissroll     t ~ U(1.5π, 4.5π); x = (t cos t, t sin t)/5 + N(0, 0.2²I)
//	circles       R ∈ {3, 1.5} w.p. ½ each, θ ~ U(0, 2π); x = R(cos θ, sin θ) + N(0, 0.24²I)
//	rings         R ∈ {3, 2.25, 1.5, 0.75} w.p. ¼ each, θ ~ U(0, 2π); x = R(cos θ, sin θ) + N(0, 0.08²I)
//	moons-raw     θ ~ U(0, π); m = (cos θ, sin θ) or (1 − cos θ, ½ − sin θ) w.p. ½ each; x = m + N(0, 0.1²I)
//	              (scikit-learn's make_moons(noise=0.1); the NeurIPS code's two_moon)
//	moons         x = 2y + (−1, −0.2), y a moons-raw point (FFJORD's moons; noise std 0.2)
//	8gaussians    c_k = 4(cos kπ/4, sin kπ/4), k ~ U{0..7}; x = (c_k + N(0, 0.5²I))/1.414
//	25gaussians   c_ij = (2i, 2j), i, j ∈ {−2..2} uniform; x = (c_ij + N(0, 0.05²I))/2.828
//	pinwheel      k ~ U{0..4}, r ~ N(1, 0.3²), s ~ N(0, 0.1²), a = 2πk/5 + 0.25 e^r;
//	              x = 2(r cos a + s sin a, −r sin a + s cos a)
//	2spirals      φ = 3π√u, u ~ U(0, 1); p = (−φ cos φ + U(0, ½), φ sin φ + U(0, ½));
//	              x = ±p/3 + N(0, 0.1²I), each sign w.p. ½
//	checkerboard  uniform on the 8 cells [2i, 2i+2) × [2j, 2j+2) ⊂ [−4, 4)² with i + j even
//
// In data coordinates 8gaussians has centres at radius 4/1.414 ≈ 2.829 and
// σ = 0.5/1.414 ≈ 0.354; 25gaussians has spacing 2/2.828 ≈ 0.707 and σ =
// 0.05/2.828 ≈ 0.0177 (Modes reports both). The option Stratified(true)
// draws 8gaussians and 25gaussians as the released NeurIPS code does: point
// i of a batch uses centre i mod K, so a batch of 200 holds exactly 8 points
// of each of the 25 centres. Where the reference code splits a batch evenly
// between arms or rings (pinwheel, 2spirals, moons, circles, rings; the last
// three also space their angles evenly) these sets draw the arm, ring and
// angle at random: the same law, with i.i.d. points.
//
// Densities (LogDensity, Entropy, in nats):
//
//	8gaussians, 25gaussians  p(x) = (1/K) Σ_k N(x; c_k, σ²I)
//	circles, rings           p(x) = (1/K) Σ_k (1/(2πσ²)) exp(−(r² + R_k²)/(2σ²)) I₀(r R_k/σ²), r = |x|,
//	                         with log I₀ from an exponentially scaled Bessel function (no overflow)
//	checkerboard             p(x) = 1/32 on the support, entropy ln 32
//	swissroll, moons(-raw)   p(x) = ∫ q(s) N(x; c(s), σ²I) ds over the curve parameter,
//	                         by fixed Gauss–Legendre quadrature (error < 1e-9 above −25 nats)
//
// pinwheel and 2spirals have no density here. Entropies are computed once
// by a float64 midpoint rule on Bounds, accurate to 1e-9 nats. Bounds is a
// box that holds all but ~1e-11 of the mass (7 noise standard deviations
// around the noiseless support).
//
// # Files
//
// ParseCSV and LoadCSV read comma-separated floats, one row per sample, any
// number of columns, with an optional header. ParseIDXImages,
// ParseIDXLabels, LoadMNIST and LoadMNISTDir read MNIST and Fashion-MNIST
// IDX files, raw or gzip-compressed. Malformed input gives a *ParseError
// naming the file and, for CSV, the line and column.
//
// Images keep their bytes; Images.Source presents them as float32 rows in
// [−1, 1] (Symmetric, the default for the GAN-style networks) or [0, 1]
// (Unit), optionally with uniform dequantisation (v + U(0, 1))/256 redrawn at
// every use, which gives the data a density. Likelihoods of dequantised data
// are in nats per image; BitsPerDim converts them to bits per dimension of
// the 8-bit images.
//
// # Batches
//
// A Sampler draws batches from any Finite dataset in shuffled epochs,
// deterministically from the caller's source, without allocating; its
// position serialises to a few bytes for checkpoints. SplitIndices makes a
// seeded train/test split, View and Take select rows. Both the Sampler and
// Toy.Batches satisfy Batcher, the interface the trainer pulls batches from.
package data
