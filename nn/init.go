package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Initialisers with PyTorch's conventions (torch.nn.init). fanIn of a Linear
// weight of shape out×in is in, fanOut is out.

// KaimingGain is torch's calculate_gain("leaky_relu", a): √(2/(1+a²)).
func KaimingGain(a float64) float64 { return math.Sqrt(2 / (1 + a*a)) }

// KaimingUniform fills w from U(−b, b) with b = gain·√(3/fanIn), gain =
// KaimingGain(a): torch's kaiming_uniform_(w, a, mode="fan_in",
// nonlinearity="leaky_relu"). a = √5 is torch's default Linear init.
func KaimingUniform[T asm.Float](s *Stream, w []T, fanIn int, a float64) {
	b := KaimingGain(a) * math.Sqrt(3/float64(fanIn))
	Uniform(s, w, -b, b)
}

// KaimingNormal fills w from N(0, std²), std = KaimingGain(a)/√fanIn.
func KaimingNormal[T asm.Float](s *Stream, w []T, fanIn int, a float64) {
	normalScaled(s, w, KaimingGain(a)/math.Sqrt(float64(fanIn)))
}

// XavierUniform fills w from U(−b, b), b = gain·√(6/(fanIn+fanOut)).
func XavierUniform[T asm.Float](s *Stream, w []T, fanIn, fanOut int, gain float64) {
	b := gain * math.Sqrt(6/float64(fanIn+fanOut))
	Uniform(s, w, -b, b)
}

// XavierNormal fills w from N(0, std²), std = gain·√(2/(fanIn+fanOut)).
func XavierNormal[T asm.Float](s *Stream, w []T, fanIn, fanOut int, gain float64) {
	normalScaled(s, w, gain*math.Sqrt(2/float64(fanIn+fanOut)))
}

func normalScaled[T asm.Float](s *Stream, w []T, std float64) {
	Normal(s, w)
	for i := range w {
		w[i] = T(std * float64(w[i]))
	}
}
