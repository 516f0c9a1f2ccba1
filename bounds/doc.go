// Package bounds implements the four bidirectional bounds on the
// log-normaliser of an energy-based model (SPEC.md §3–§4).
package bounds
