package nn

import "github.com/ebmcpu/ebmcpu/asm"

// A Param is a learnable tensor of a network: its values, and the gradient
// that backward passes accumulate into. Shape is informational (row-major);
// len(Value) = len(Grad) = the product of Shape.
type Param[T asm.Float] struct {
	Name  string
	Shape []int
	Value []T
	Grad  []T
}

// A Buffer is non-learnable state that a network carries and a checkpoint
// saves: BatchNorm running statistics, spectral-norm power-iteration vectors.
type Buffer[T asm.Float] struct {
	Name  string
	Shape []int
	Value []T
}

func newParam[T asm.Float](name string, shape ...int) *Param[T] {
	n := numElems(shape)
	return &Param[T]{Name: name, Shape: shape, Value: make([]T, n), Grad: make([]T, n)}
}

func newBuffer[T asm.Float](name string, shape ...int) *Buffer[T] {
	return &Buffer[T]{Name: name, Shape: shape, Value: make([]T, numElems(shape))}
}

func numElems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
