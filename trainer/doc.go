// Package trainer runs the bidirectional minimax training of an
// energy-based model (docs/SPEC.md §5): per iteration, energy updates that
// minimise E_data[E] − E_q[E] + an upper-bound penalty, then generator
// updates that maximise E_q[−E] + a lower bound of its entropy, with the
// bounds that package ebm builds from the run's Config.
//
// The energy step's negative term departs from SPEC §5's mean E over the
// generator's samples (ebm.NegativesConfig): by default it is the
// importance-weighted mean Σ_b w_b·E(G(z_b)), w_b ∝ e^{−E}/q at the sample
// (bounds.ImportanceWeighted.SelfNormalized), so that its gradient estimates
// that of log Z and the energy learns the data's density rather than the
// correction of the generator's. When those weights degenerate (an
// effective sample size below NegativesConfig.Resample of the batch), the
// weighted samples are resampled into equally weighted copies
// (bounds.SystematicResample) that MALA steps on e^{−E}, which leave p_θ
// invariant, spread out: resample-move. Langevin-refined generator samples
// (MALA or unadjusted, short-run or persistent chains) are the alternative.
//
// New builds a Trainer from an ebm.Config (the same config and seed give
// the same bits whatever the thread count); Step runs one iteration under a
// divergence guard that rolls back to the last good state; Run loops with
// metrics (metrics.jsonl), checkpoints (atomic, on a schedule and on
// cancellation) and the command line's Hooks (evaluation, pictures); Resume
// continues a checkpoint bit for bit. The trained model is read back by
// ebm.LoadModel.
package trainer
