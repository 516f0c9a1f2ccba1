package asm

// Sexp sets dst[i] = exp(x[i]) for i < len(x).
func Sexp(dst, x []float32) { checkLen("Sexp", len(x), len(dst)); k.sexp(dst[:len(x)], x) }

// SleakyReLU sets dst[i] = x[i] if x[i] > 0, else slope·x[i].
func SleakyReLU(dst, x []float32, slope float32) {
	checkLen("SleakyReLU", len(x), len(dst))
	k.sleakyReLU(dst[:len(x)], x, slope)
}

// SleakyReLUBackward sets dx[i] = dy[i] if x[i] > 0, else slope·dy[i], and
// returns Σ dy[i]·x[i] over x[i] ≤ 0: the gradient of a shared PReLU slope.
func SleakyReLUBackward(dx, x, dy []float32, slope float32) float32 {
	checkLen("SleakyReLUBackward", len(x), len(dx), len(dy))
	return k.sleakyReLUBackward(dx[:len(x)], x, dy[:len(x)], slope)
}

// Ssigmoid sets dst[i] = 1/(1+exp(−x[i])).
func Ssigmoid(dst, x []float32) { checkLen("Ssigmoid", len(x), len(dst)); k.ssigmoid(dst[:len(x)], x) }

// Ssilu sets dst[i] = x[i]·sigmoid(x[i]).
func Ssilu(dst, x []float32) { checkLen("Ssilu", len(x), len(dst)); k.ssilu(dst[:len(x)], x) }

// Ssoftplus sets dst[i] = log(1+exp(x[i])), computed without overflow.
func Ssoftplus(dst, x []float32) {
	checkLen("Ssoftplus", len(x), len(dst))
	k.ssoftplus(dst[:len(x)], x)
}

// Stanh sets dst[i] = tanh(x[i]).
func Stanh(dst, x []float32) { checkLen("Stanh", len(x), len(dst)); k.stanh(dst[:len(x)], x) }
