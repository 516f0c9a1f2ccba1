//go:build amd64 && !noasm

package asm

// Assembly vector kernels. Each implements the pure-Go twin named in its
// comment, on slices whose lengths the public wrappers have already checked.

func vectorAVX2(t *kernels) {
	t.saxpy = saxpyAVX2
}

func vectorAVX512(t *kernels) {
	t.saxpy = saxpyAVX512
}

// saxpyAVX512 is saxpyGeneric: y[i] += alpha·x[i] for i < len(x).
//
//go:noescape
func saxpyAVX512(alpha float32, x, y []float32)

// saxpyAVX2 is saxpyGeneric.
//
//go:noescape
func saxpyAVX2(alpha float32, x, y []float32)
