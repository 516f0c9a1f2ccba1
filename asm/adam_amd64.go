//go:build amd64 && !noasm

package asm

func adamAVX2(t *kernels)   { t.sadam = sadamAVX2 }
func adamAVX512(t *kernels) { t.sadam = sadamAVX512 }

// sadamAVX512 is sadamGeneric.
//
//go:noescape
func sadamAVX512(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32)

// sadamAVX2 is sadamGeneric.
//
//go:noescape
func sadamAVX2(w, g, m, v []float32, b1, c1, b2, c2, stepSize, invBc2, eps, wd, decay float32)
