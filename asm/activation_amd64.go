//go:build amd64 && !noasm

package asm

// Assembly activation kernels. Each runs the algorithm of the pure-Go twin
// named in its comment (activation_generic.go), on slices whose lengths the
// public wrappers have already checked; dst may alias x.

func activationAVX2(t *kernels) {
	t.sexp = sexpAVX2
	t.ssigmoid = ssigmoidAVX2
	t.ssilu = ssiluAVX2
	t.ssoftplus = ssoftplusAVX2
	t.stanh = stanhAVX2
	t.sleakyReLU = sleakyReLUAVX2
	t.sleakyReLUBackward = sleakyReLUBackwardAVX2
}

func activationAVX512(t *kernels) {
	t.sexp = sexpAVX512
	t.ssigmoid = ssigmoidAVX512
	t.ssilu = ssiluAVX512
	t.ssoftplus = ssoftplusAVX512
	t.stanh = stanhAVX512
	t.sleakyReLU = sleakyReLUAVX512
	t.sleakyReLUBackward = sleakyReLUBackwardAVX512
}

// sexpAVX512 is sexpGeneric.
//
//go:noescape
func sexpAVX512(dst, x []float32)

// ssigmoidAVX512 is ssigmoidGeneric.
//
//go:noescape
func ssigmoidAVX512(dst, x []float32)

// ssiluAVX512 is ssiluGeneric.
//
//go:noescape
func ssiluAVX512(dst, x []float32)

// ssoftplusAVX512 is ssoftplusGeneric.
//
//go:noescape
func ssoftplusAVX512(dst, x []float32)

// stanhAVX512 is stanhGeneric.
//
//go:noescape
func stanhAVX512(dst, x []float32)

// sleakyReLUAVX512 is sleakyReLUGeneric.
//
//go:noescape
func sleakyReLUAVX512(dst, x []float32, slope float32)

// sleakyReLUBackwardAVX512 is sleakyReLUBackwardGeneric, summing in a
// different order.
//
//go:noescape
func sleakyReLUBackwardAVX512(dx, x, dy []float32, slope float32) float32

// sexpAVX2 is sexpGeneric.
//
//go:noescape
func sexpAVX2(dst, x []float32)

// ssigmoidAVX2 is ssigmoidGeneric.
//
//go:noescape
func ssigmoidAVX2(dst, x []float32)

// ssiluAVX2 is ssiluGeneric.
//
//go:noescape
func ssiluAVX2(dst, x []float32)

// ssoftplusAVX2 is ssoftplusGeneric.
//
//go:noescape
func ssoftplusAVX2(dst, x []float32)

// stanhAVX2 is stanhGeneric.
//
//go:noescape
func stanhAVX2(dst, x []float32)

// sleakyReLUAVX2 is sleakyReLUGeneric.
//
//go:noescape
func sleakyReLUAVX2(dst, x []float32, slope float32)

// sleakyReLUBackwardAVX2 is sleakyReLUBackwardGeneric, summing in a
// different order.
//
//go:noescape
func sleakyReLUBackwardAVX2(dx, x, dy []float32, slope float32) float32
