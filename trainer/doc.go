// Package trainer runs the bidirectional minimax training loop (SPEC.md §5).
package trainer
