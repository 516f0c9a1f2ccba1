// Package eval measures a trained energy-based model (SPEC.md §7): how well
// the EBM and its generator fit the data, and whether the bidirectional
// bounds bracket the true log-normaliser.
//
// Evaluate (or EvaluateModel for a loaded ebm.Model) returns a Report,
// written as JSON by WriteJSON and drawn by plot.Panel; every
// log-normaliser, NLL, entropy, KL and bound is in nats. It contains:
//
//   - 2-D models: the exact log Z = log ∫ exp(−E) by midpoint quadrature on
//     a box in float64 with a stable log-sum-exp (CheckGrid), with its
//     convergence: the change when the grid is refined (n → 2n), when the
//     box grows 1.5× (same cells), and the share of the mass in the outer
//     ring of cells. When the mass at the edge is not negligible (a PReLU
//     energy grows only linearly) the report says the model is normalised
//     on the box.
//   - D > 2: annealed importance sampling from N(0, s²I) with MALA
//     transitions (AIS), a stochastic LOWER bound of log Z, so the NLL is
//     optimistic; in 2-D it cross-checks the grid.
//   - The test NLL = mean E + log Z on held-out data (fresh samples of a toy
//     set from its own stream; a seeded split of a CSV), the data entropy
//     and KL gap NLL − H(data) where the set has a density.
//   - The bracket: the model's own lower bound and the exact-log-det sv
//     bound, the gp and diffusion upper bounds for every model whatever it
//     was trained with, side by side with log Z; a bound on the wrong side
//     of log Z by more than 3 standard errors (plus the grid error) is
//     listed as a Violation naming the assumption it breaks.
//   - Samples: unbiased MMD² (RBF kernel, median heuristic) between
//     generator samples, or MALA samples of the EBM, and held-out data;
//     for the Gaussian mixtures, modes covered and the share of samples
//     within 3σ of a centre (Modes).
//   - The importance-weighted lower bound of log Z (bounds.ImportanceWeighted)
//     beside the bracket, for every model, with its own assumptions; the
//     report carries ebm.Certify's certification of the trained bracket.
//   - Image models (pixels in [−1, 1]; ImageReport): exp(−E) restricted to
//     the pixel cube, where a LeakyReLU energy that falls away from the data
//     still has a normaliser (CubeEnergy: AIS and MALA in whitened tanh
//     coordinates); the test NLL in nats per image and bits/dim of
//     dequantised test images; the out-of-distribution AUROC (exact
//     Mann–Whitney, AUROC) of the energy and of the bracket's log-density
//     bounds against the other built-in image set, uniform noise and
//     Gaussian noise with the data's mean and covariance (ImageOODSets);
//     and the shipped classifier's sample quality (package classify) of
//     generator and MALA samples. Beside each of these numbers stands a
//     simple density on the same data, as the KDE and the mixture stand
//     beside the 2-D models: a Gaussian with the training images' mean and
//     full covariance, its ridge chosen on held-out training images
//     (ImageReference) — its exact NLL and bits/dim, its NLL as an OOD
//     score, and the classifier's scores of its samples. Their defaults keep the evaluation of a
//     default MNIST model to a few minutes on 2 cores; every part can be
//     left out through Options.
//
// The numerical pieces work on any BatchEnergy (a float64 batch energy
// function), so the tests check them against closed forms; NetworkEnergy
// adapts a float32 energy network.
package eval
