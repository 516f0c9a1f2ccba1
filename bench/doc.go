// Package bench holds ebmcpu's side-by-side benchmarks: ours against gonum,
// OpenBLAS (build tag openblas) and PyTorch CPU scripts.
package bench
