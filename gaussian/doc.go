// Package gaussian fits the Gaussian N(μ, Σ + λI) to points in R^D: the
// mean μ and covariance Σ (1/(n−1)) of n points, accumulated in float64,
// and a ridge λ = rel·tr Σ/D relative to the mean variance, which makes the
// covariance of coordinates that never change (MNIST's border pixels)
// positive definite.
//
// A Model is factorised once, Σ + λI = LLᵀ (Cholesky), and then gives
//
//	log N(x; μ, Σ + λI) = −½‖L⁻¹(x − μ)‖² − ½ log det(Σ + λI) − (D/2) log 2π,
//
// one triangular solve for a whole batch; samples μ + Lξ, ξ ∼ N(0, I); and
// the precision (Σ + λI)⁻¹. Choose picks the ridge among candidates by the
// mean log-density of held-out points.
//
// Three parts of ebmcpu use one fit: the Gaussian reference an image model
// is compared with and the Gaussian-noise OOD set (package eval), and the
// Gaussian base of an energy (ebm.Config.GaussianBase). The Fréchet
// distance of package classify compares two Moments.
package gaussian
