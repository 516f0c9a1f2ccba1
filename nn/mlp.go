package nn

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
)

// MLPSpec describes a multilayer perceptron:
//
//	Linear(w0→w1) → act [→ BatchNorm] → Linear(w1→w2) → act [→ BatchNorm] → … → Linear(→wL)
//	[→ OutputActivation] [→ Scale]
//
// SPEC §5's toy energy is {Widths: 2,100,100,1; Activation: "prelu";
// OutputScale: true} and its toy generator {Widths: 2,100,100,2;
// Activation: "prelu"; BatchNorm: true}.
type MLPSpec struct {
	Widths     []int  `json:"widths"`
	Activation string `json:"activation"` // hidden activation, see ParseActivation
	// LeakySlope is the negative slope of "leakyrelu" (0 means torch's 0.01;
	// use "relu" for a zero slope).
	LeakySlope       float64 `json:"leaky_slope,omitempty"`
	BatchNorm        bool    `json:"batch_norm,omitempty"`        // BatchNorm1d after each hidden activation
	SpectralNorm     bool    `json:"spectral_norm,omitempty"`     // on every Linear layer
	OutputActivation string  `json:"output_activation,omitempty"` // after the last Linear; "" for none
	OutputScale      bool    `json:"output_scale,omitempty"`      // learnable scalar output scale
}

// BuildMLP builds the network spec describes, initialising it from s in
// layer order (torch's defaults; see NewLinear). A nil stream leaves the
// parameters at zero, for loading. Bad specs (fewer than two widths, a
// non-positive width, an unknown activation) return an error.
func BuildMLP[T asm.Float](spec MLPSpec, s *Stream) (*Network[T], error) {
	if len(spec.Widths) < 2 {
		return nil, fmt.Errorf("nn: MLP needs at least an input and an output width, got %v", spec.Widths)
	}
	for _, w := range spec.Widths {
		if w <= 0 {
			return nil, fmt.Errorf("nn: MLP widths must be positive, got %v", spec.Widths)
		}
	}
	act, err := ParseActivation(spec.Activation)
	if err != nil {
		return nil, err
	}
	var outAct ActKind
	if spec.OutputActivation != "" {
		if outAct, err = ParseActivation(spec.OutputActivation); err != nil {
			return nil, err
		}
	}
	if spec.LeakySlope < 0 || spec.LeakySlope != spec.LeakySlope {
		return nil, fmt.Errorf("nn: MLP leaky slope must be non-negative, got %v", spec.LeakySlope)
	}
	newAct := func(k ActKind, w int) *Activation[T] {
		a := NewActivation[T](k, w)
		if k == LeakyReLU && spec.LeakySlope != 0 {
			a.Slope = T(spec.LeakySlope)
		}
		return a
	}
	var layers []Layer[T]
	L := len(spec.Widths) - 1
	for i := 0; i < L; i++ {
		in, out := spec.Widths[i], spec.Widths[i+1]
		lin := NewLinear[T](in, out, true, s)
		if spec.SpectralNorm {
			lin.WithSpectralNorm(s)
		}
		layers = append(layers, lin)
		if i == L-1 {
			break
		}
		if act != Identity {
			layers = append(layers, newAct(act, out))
		}
		if spec.BatchNorm {
			layers = append(layers, NewBatchNorm[T](out))
		}
	}
	last := spec.Widths[L]
	if spec.OutputActivation != "" && outAct != Identity {
		layers = append(layers, newAct(outAct, last))
	}
	if spec.OutputScale {
		layers = append(layers, NewScale[T](last, s))
	}
	return NewSequential(layers...)
}
