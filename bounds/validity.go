package bounds

import (
	"errors"
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// CheckC1 reports whether the network is continuously differentiable in
// its input as it is evaluated by the bounds (Eval mode): it returns nil
// when every layer is, and otherwise an error naming the first layer that is
// only piecewise differentiable or of a kind it does not know.
//
// C¹ layers: Linear (with or without spectral normalisation, whose Eval
// pass uses the stored vectors: a fixed linear map), Conv2D and
// ConvTranspose2D (linear), BatchNorm and BatchNorm2D (affine with the
// running statistics), Scale, HalfSquaredNorm, and the activations
// identity, SiLU, softplus, tanh, sigmoid and ELU with α = 1 (C¹ but not
// C²: σ″ jumps from 1 to 0 at 0, which leaves the Jacobian continuous).
// Piecewise-linear activations (ReLU, LeakyReLU, PReLU) and ELU with α ≠ 1
// have a derivative that jumps at 0, unless the two slopes agree (a
// LeakyReLU or PReLU of slope 1 is the identity).
//
// Use: the upper bounds (c, d) are certified only for a C¹ generator; see
// the package documentation, "When the bounds hold".
func CheckC1[T asm.Float](net *nn.Network[T]) error {
	if net == nil {
		return errors.New("bounds: CheckC1: no network")
	}
	for i, l := range net.Layers() {
		if a, ok := l.(*nn.Activation[T]); ok {
			if err := activationC1(a); err != nil {
				return fmt.Errorf("bounds: layer %d (%s) is only piecewise differentiable: %v", i, a.Kind(), err)
			}
			continue
		}
		switch l.Kind() {
		case "linear", "conv2d", "convtranspose2d", "batchnorm", "batchnorm2d", "scale", "halfsqnorm":
		default:
			return fmt.Errorf("bounds: layer %d (%s) is of a kind not known to be continuously differentiable", i, l.Kind())
		}
	}
	return nil
}

// activationC1 returns nil for a C¹ activation and otherwise says where its
// derivative jumps.
func activationC1[T asm.Float](a *nn.Activation[T]) error {
	slope := a.Slope
	if a.SlopeParam != nil {
		slope = a.SlopeParam.Value[0]
	}
	switch a.Act {
	case nn.Identity, nn.SiLU, nn.Softplus, nn.Tanh, nn.Sigmoid:
		return nil
	case nn.ReLU:
		return errors.New("σ' jumps from 0 to 1 at 0")
	case nn.LeakyReLU, nn.PReLU:
		if slope == 1 {
			return nil
		}
		return fmt.Errorf("σ' jumps from %v to 1 at 0", slope)
	case nn.ELU:
		if a.Alpha == 1 {
			return nil
		}
		return fmt.Errorf("ELU with α = %v: σ' jumps from α to 1 at 0", a.Alpha)
	}
	return fmt.Errorf("unknown activation %v", a.Act)
}
