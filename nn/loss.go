package nn

import "github.com/ebmcpu/ebmcpu/asm"

// MSE returns the mean squared error mean((y − target)²) over all elements
// and, if grad is not nil, writes its gradient 2(y − target)/len(y) there
// (torch.nn.MSELoss with reduction="mean").
func MSE[T asm.Float](y, target, grad []T) float64 {
	checkLen("MSE", "target", len(target), len(y))
	var s float64
	n := len(y)
	if grad != nil {
		checkLen("MSE", "grad", len(grad), n)
	}
	c := 2 / T(n)
	for i, v := range y {
		d := v - target[i]
		s += float64(d) * float64(d)
		if grad != nil {
			grad[i] = c * d
		}
	}
	return s / float64(n)
}
