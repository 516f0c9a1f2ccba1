package bounds

import "github.com/ebmcpu/ebmcpu/nn"

// energyEval evaluates the confined energy E(x) = E_θ(x) + c‖x‖² and its
// derivatives on its own workspace, in Eval mode (the bounds change no
// network state: spectral-norm vectors stay as the trainer's Train passes
// left them).
type energyEval[T nn.Float] struct {
	net     *nn.Network[T]
	ws      *nn.Workspace[T] // one tangent per sample
	confine float64
	D       int
	e       []float64 // energies of the last score, B
	g       []T       // ∇_x E of the last score, B×D
	coef    []T       // cotangents of mixedBackward, B
}

func newEnergyEval[T nn.Float](net *nn.Network[T], confine float64, maxB int) *energyEval[T] {
	D := net.In()
	return &energyEval[T]{
		net: net, ws: net.NewWorkspace(maxB, 1), confine: confine, D: D,
		e: make([]float64, maxB), g: make([]T, maxB*D), coef: make([]T, maxB),
	}
}

// energy sets ee.e to E(x) for the B×D batch x and returns it.
func (ee *energyEval[T]) energy(x []T) []float64 {
	B := len(x) / ee.D
	y := ee.ws.Forward(x, nn.Eval)
	for b := 0; b < B; b++ {
		xb := x[b*ee.D : (b+1)*ee.D]
		ee.e[b] = float64(y[b]) + ee.confine*dot(xb, xb)
	}
	return ee.e[:B]
}

// score sets ee.e and ee.g to E(x) and ∇_x E(x) for the B×D batch x.
func (ee *energyEval[T]) score(x []T) {
	B := len(x) / ee.D
	y, g := ee.ws.Score(x, nn.Eval)
	copy(ee.g, g)
	for b := 0; b < B; b++ {
		xb := x[b*ee.D : (b+1)*ee.D]
		ee.e[b] = float64(y[b]) + ee.confine*dot(xb, xb)
	}
	if ee.confine != 0 {
		axpy(2*ee.confine, x, ee.g[:B*ee.D])
	}
}

// mixedBackward accumulates Σ_b coef_b·∇_θ[∇_x E_θ(x_b)·w_b] into the
// energy's parameter gradients, with the directions w (B×D) held fixed:
// one tangent pass and its reverse mode (the mixed second derivative of
// SPEC §4). The confining term has no parameters. coef is B values.
func (ee *energyEval[T]) mixedBackward(x, w []T, coef []float64) {
	B := len(x) / ee.D
	for b := 0; b < B; b++ {
		ee.coef[b] = T(coef[b])
	}
	ee.ws.ScoreDot(x, w[:B*ee.D], nn.Eval)
	ee.ws.BackwardTangent(nil, ee.coef[:B], nn.GradParams)
}
