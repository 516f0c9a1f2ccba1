// Package trainer runs the bidirectional minimax training of an
// energy-based model (docs/SPEC.md §5): per iteration, energy updates that
// minimise E_data[E] − E_q[E] + an upper-bound penalty, then generator
// updates that maximise E_q[−E] + a lower bound of its entropy, with the
// bounds of package bounds.
//
// A Config (DefaultConfig, LoadConfig) determines a run completely: the
// same config and seed give the same bits whatever the thread count. New
// builds a Trainer; Step runs one iteration under a divergence guard that
// rolls back to the last good state; Run loops with metrics
// (metrics.jsonl), checkpoints (atomic, on a schedule and on cancellation)
// and pictures; Resume continues a checkpoint bit for bit.
//
// Model is the embedding API for services: a trained model loaded from a
// checkpoint, safe for concurrent use, with energies, scores, bounds on
// log-densities and samples. The data sets live in trainer/data and the
// evaluation in trainer/eval.
package trainer
