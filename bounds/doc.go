// Package bounds implements the bidirectional bounds on the log-normaliser
// of an energy-based model (SPEC.md §2–§5), a Langevin/MALA sampler, and the
// bracket that combines them.
//
// # The bracket
//
// For an energy E (a network E_θ plus a parameter-free base: a confining
// term c‖x‖² and optionally a Gaussian quadratic, see Base) and a generator G: R^d → R^D with latent z ∼ N(0, I_d)
// and law q, the latent log-ratio is
//
//	f(z) = −E(G(z)) + ½‖z‖² + (d/2)·log 2π + ½ log det(J(z)ᵀJ(z)),  J = ∂G/∂z,
//
// and
//
//	⌊log Z⌋ = E_q[−E] + Ĥ  ≤  log Z  ≤  ⌊log Z⌋ + Û = ⌈log Z⌉,
//
// with Ĥ ≤ H[q] a lower bound on the generator entropy (EntropyLower) and
// Û ≥ KL(q ‖ p_θ) an upper bound on the gap (GapUpper). Bracket evaluates
// both sides with standard errors. The generator (and any auxiliary network)
// maximises ⌊log Z⌋, the energy minimises E_data[E] − E_q[E] + Û(θ). The
// lower-bound-only minimax game (the unstable baseline of SPEC §2) is the
// same training loop with no GapUpper: the energy then minimises
// E_data[E] − E_q[E] alone, and the Bracket reports only ⌊log Z⌋.
//
// Assumptions, stated once here and in each type's documentation:
//
//   - Injective G. The singular-value entropy and everything built on f
//     (bounds c and d, the latent target) assume G injective with J of full
//     column rank; if G folds, Σ log s_i overstates H[q] and the bounds hold
//     only on the injective region. Samples with a singular J are left out
//     of the means and counted (Stats, Skipped).
//   - Manifold normaliser when d < D. q is then a density on the
//     d-dimensional image of G, and every "log Z" is the normaliser of
//     exp(−E) restricted to that manifold (BracketResult.Manifold says so).
//     log Z = log E_p[e^f] exactly only for a bijective G (d = D).
//   - The MI bracket is approximate. The mutual-information bound is a true
//     lower bound on the entropy of the noisy generator q_σ (any G); an
//     upper bound paired with it is evaluated on the deterministic part G,
//     so the bracket is then approximate (BracketResult.Approximate).
//   - Eval mode. Every bound runs both networks in Eval mode: BatchNorm uses
//     its running statistics (a tangent pass cannot go through batch
//     statistics, and SPEC §5 does all Jacobian work in eval mode) and
//     spectral normalisation uses its stored vectors, so no bound changes
//     network state. x = G(z) is the Eval-mode image (the released code
//     takes the energy term on Train-mode samples but the Jacobian in Eval
//     mode).
//
// # Lower bounds on H[q] (SPEC §3)
//
// SVEntropy (a): H[q] = (d/2)·log(2πe) + E Σ_i log s_i(J). Method "exact"
// forms J from d unit tangents and takes ½ log det(JᵀJ) by Cholesky (small d;
// its gradient is the closed form J(JᵀJ)⁻¹ pushed back through the tangent
// pass). "smin" is the paper's d·log s_min with s_min from LOBPCG on JᵀJ
// (matrix-free: JVPs and VJPs through a nn.JacobianOperator, all samples in
// one stacked pass), and "topk" adds the K largest singular values from a
// randomized SVD: Σ_{i≤K} log s_i + (d − K)·log s_min, between the two. A
// truncated LOBPCG run overstates s_min and hence the bound: Stats reports
// the residual ‖JᵀJv − μ²v‖. Gradients hold the singular pairs fixed:
// ∇ log s_i = ∇(u_iᵀJv_i)/s_i, one tangent pass with the v_i and its reverse
// mode with cotangents u_i/s_i (exact at convergence, by the envelope
// theorem).
//
// MIEntropy (b): for x = G(z) + σε, H[q_σ] = I(X; Z) + (D/2)·log(2πeσ²) and
// any Î ≤ I gives a bound, for any G. Barber–Agakov (an encoder MLP x →
// (μ, log s), a bound for every encoder), InfoNCE and NWJ (a separable
// critic f(x)·g(z): the K×K scores are one GEMM). The auxiliary networks and
// a learned log σ get weight·∇Ĥ with the generator (AuxParams,
// AuxNetworks); the trainer perturbs its own generator samples through
// NoisyGenerator so that E_{q_σ}[E] and σ's gradient refer to the same q_σ.
//
// ImportanceWeighted (SPEC §4(e)) bounds log Z itself from below: with
// z_1..z_K i.i.d. from the prior, L_K = E[log (1/K)·Σ_k e^{f(z_k)}] ≤ log Z
// (Burda et al.'s IWAE bound), L_1 = E_p[f] is the exact sv bound and L_K
// increases to log Z. It costs K evaluations of f per group and no
// derivatives; its standard error is over the groups, and Stats gives the
// weights' effective sample size per group. A latent with a singular
// Jacobian has f = −∞, weight 0. The same weights, normalised over a batch
// (SelfNormalized: w_b = e^{f(z_b)}/Σ_k e^{f(z_k)}), turn the generator's
// samples into a self-normalised importance sample of p_θ: Σ_b w_b·g(G(z_b))
// estimates E_{p_θ}[g] with a bias of order 1/B. The trainer's energy step
// uses it for ∇_θ log Z = −E_{p_θ}[∇_θ E].
//
// # Upper bounds on KL(q ‖ p_θ) (SPEC §4)
//
// Both rest on the Gaussian log-Sobolev inequality of the prior, applied
// along the geometric path π_s ∝ p(z)·e^{s f(z)}, s ∈ [0, 1]. The gradient
// ∇_z f = −Jᵀ∇_x E + z + ∇_z ½ log det(JᵀJ) needs second derivatives of G in
// its last term: exact for small d (LogDet "exact", the default for
// d ≤ ExactLogDetMaxDim), else the surrogate d·log s_min with the LOBPCG
// pair held fixed (LogDet "smin"); Name() says which.
//
// Diffusion (d), rigorous: Û_d = ½∫₀¹ E_{π_s}‖∇_z f‖² ds ≥ KL for f ∈ C¹
// (see "When the bounds hold"). A trapezoid or Gauss–Legendre quadrature in
// s; at each node the chains (started from the given latents, exact samples
// of π_0) take StepsPerNode Langevin steps on π_s, annealed from node to
// node, optionally MALA. DiffusionStats reports the integrand at each node,
// the left and right Riemann sums on the nodes (cells [0, s_0], [s_0, s_1],
// …, [s_{K−1}, 1], the outer cells taking the nearest node; for the
// trapezoid nodes the usual left/right sums, bracketing a monotone
// integrand), and the MALA acceptance rates and step sizes. The standard
// error is that of B independent chains. Without MALA the samples carry an
// O(h) bias; under-mixed chains (too few or too small steps for the
// relaxation time of π_s near s = 1) under-estimate Û_d when the EBM is
// wider than the generator.
//
// With MALA the step size adapts to the acceptance rate
// DiffusionConfig.TargetAcceptance (0.7 by default) over the first half of
// each node's steps, from StepSize at every call; a fixed h = 0.05 had an
// acceptance near 1 and chains too slow to follow π_s. Errors on the SPEC §8
// cases (1-D k = −0.9, −0.5, 1, 3; two 2-D and two 5-D cases; 10 000 chains,
// standard errors 0.3–0.9 %; TestDiffusionStudy), quadrature included:
//
//	5 trapezoid nodes × 10 steps (the training default):
//	  ULA h = 0.05                −38 % … +13 %
//	  MALA h = 0.05 fixed         −38 % … +8 %
//	  MALA adapted                +0.6 % … +3.5 %; +15 % at k = −0.9,
//	                              all of it the rule's (+14 %)
//	9 trapezoid nodes × 20 MALA steps (the evaluation until now):
//	  h = 0.05 fixed              −21 % … +1.2 %
//	  adapted                     +0.2 % … +1.1 %; +4 % at k = −0.9 (rule)
//	Gauss–Legendre, MALA adapted:
//	  4 nodes × 10 steps          −1.0 % … +1.0 % (rule: −0.7 % at k = −0.9)
//	  8 nodes × 5 steps           −2.7 % … +0.5 % (rule: below 0.01 %)
//	  8 nodes × 10 steps          −0.6 % … +1.1 %
//	  8 nodes × 20 steps          −0.4 % … +0.6 %
//
// The sampler error is below 1 % from 10 adapted steps per node, the 5-D
// case with the widest spread of curvatures being the slowest. A
// Gauss–Legendre rule needs 5–6 nodes for a quadrature error below 0.5 %
// (the k = −0.9 integrand ½k²/(1 + sk) is the steepest), the trapezoid rule
// 17–33 (it over-estimates these convex integrands, the safe side). Cost:
// one evaluation of f and ∇_z f per step and one more per node with MALA;
// at batch 200 on the SPEC §5 toy networks a 5×10 call with gradients
// takes about 55 ms and 8 Gauss–Legendre × 20 about 190 ms (one sv-exact
// entropy: 1 ms). For training at the default cost: MALA, Gauss–Legendre,
// 4 nodes, 10 steps per node. For an evaluation to 1 %: MALA,
// Gauss–Legendre, 8 nodes, 20 steps per node.
//
// GradientPenalty (c), first order: Û_c = ½ E_p‖∇_z f‖², the s = 0 end of
// the integral; exact when q = p_θ, a bound only under a log-Sobolev
// assumption on π_1, and it under-covers when the EBM is wider than the
// generator (SPEC §8's k = −0.9 example: 0.405 < 0.701). Estimated as in
// the released code with one Hutchinson probe per sample (or in full with
// FullGradient).
//
// Two different λ: the reported bound always has λ = 1; the training
// penalty has its own weight (GPConfig.Weight, default 1e-3, or the decaying
// schedule λ_t = 0.7·(2307 + t)^−0.55), with the optional hinge
// ReLU(λR − τ) for (c). Gap returns the two separately.
//
// ZeroGP is the "0GP" baseline of the released code, λ·E_data‖∇_x E‖² on
// real data: a penalty for comparison, not a bound.
//
// # When the bounds hold (SPEC §4(e))
//
// A bound may be reported as certified only when its assumptions hold;
// otherwise label it "not certified".
//
//   - sv (a): an injective G with J of full column rank (then H[q] is the
//     manifold entropy when d < D). No smoothness: the change of variables
//     holds for piecewise-linear injective maps too. exact needs nothing
//     more; smin and topk need a converged LOBPCG, since a truncated run
//     overstates s_min and hence the bound (SVStats.Residual).
//   - mi (b): valid for any G, injective or not (a bound on H[q_σ] of the
//     noisy generator); its bracket with an upper bound is approximate.
//   - iw: an injective G (a bijection for log Z on R^D); no smoothness; the
//     smin surrogate lowers f and keeps it a bound once LOBPCG converged.
//   - diffusion (d): the log-Sobolev inequality behind it is applied to
//     e^{s f/2}, which needs f weakly differentiable with its pointwise
//     gradient as its weak gradient. A locally Lipschitz f is (Rademacher's
//     theorem), and four conditions make the estimate a certified bound:
//   - (d) needs a C¹ generator: CheckC1(nets.Generator) == nil (SPEC §5's
//     PReLU toy generator fails it). Then J is continuous (and, with the
//     layers CheckC1 accepts, locally Lipschitz), so ½ log det JᵀJ has no
//     jumps. With PReLU, LeakyReLU or ReLU in G, J
//     is piecewise constant and ½ log det JᵀJ jumps across the kinks; the
//     pointwise ∇_z f misses the jumps and Û can fall below the gap (SPEC
//     §4(e)'s example: Û_c = Û_d = 0 while log Z − E_p f = 0.22;
//     TestPiecewiseLinearFailure). The energy network may be piecewise
//     linear: E∘G is then locally Lipschitz, its kinks carry no mass and
//     its a.e. gradient is its weak gradient.
//   - (d) needs the exact log-det. The surrogate d·log s_min is a different
//     function f̃ ≤ f, and ∇ d·log s_min is not the gradient of ½ log det:
//     the inequality for f̃ bounds log E e^{f̃} − E f̃, which does not
//     bracket log Z.
//   - (d) needs MALA chains that mix: an acceptance near the target at every
//     node (DiffusionStats) and an estimate stable when StepsPerNode doubles.
//   - (d) needs a converged quadrature: Gauss–Legendre with ≥ 6 nodes on a
//     smooth integrand, or a small left/right spread.
//   - gp (c): the first-order truncation of (d). It is a bound only under a
//     log-Sobolev assumption on π_1 that nothing checks, it under-covers
//     when the EBM is wider than the generator, and it has (d)'s trouble
//     with a piecewise-linear generator: never report it as a certified
//     upper bound.
//
// # Gradient flows
//
// What is held constant is part of each definition:
//
//   - sv smin/topk: the singular pairs (u_i, v_i); exact: nothing.
//   - mi: nothing; the noise ε is a fixed draw (reparameterisation), so
//     ∂/∂φ flows through x = G(z) + σε and ∂/∂log σ through σε and the
//     (D/2)·log σ² term.
//   - gp (c): J·v_i and b_i = v_i·∇_z(½‖z‖² + ½ log det JᵀJ) are constants;
//     ∂R/∂θ = mean (a_i − b_i)·∂_θ[∇_x E_θ(x_i)·w_i] with w_i = Jv_i fixed, a
//     mixed second derivative (one tangent pass of the energy and its
//     reverse mode). The generator gets no gradient.
//   - diffusion (d): the Langevin samples are constants (stop-gradient
//     through the sampler); ∂_θ ½‖∇_z f‖² = −∂_θ[∇_x E_θ(x)·w] with
//     w = J∇_z f fixed, at every node.
//   - 0gp: 2λ·mean ∂_θ[∇_x E_θ(x_i)·w_i] with w_i = ∇_x E(x_i) fixed.
//
// Every gradient is checked against central finite differences in float64
// with the random draws fixed (gradcheck_test.go).
//
// A bound holds its own workspaces and solver buffers: it is not safe for
// concurrent use, and its results (PerSample, Stats, Samples) are views
// reused by the next call.
//
// # Sampler
//
// Langevin runs batched overdamped Langevin dynamics (Euler–Maruyama) on
// any Target, optionally with the Metropolis correction, with zero
// allocations per step: EnergyTarget in data space (π ∝ exp(−E), the CLI's
// EBM sampler) and LatentTarget in latent space (π_s). Every random draw
// comes from the stream given to the constructor, so runs are reproducible
// from the seed.
//
// # Performance
//
// All JVP/VJP work is batched: a batch of B latents with k tangents is one
// stacked pass whose Linear layers are GEMMs over (1+k)·B rows. Nothing
// allocates in steady state (TestBoundsAllocs). Benchmarks on the SPEC §5
// toy networks: go test ./bounds -run '^$' -bench . -benchtime 200ms.
package bounds
