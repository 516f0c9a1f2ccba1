package nn

import "github.com/ebmcpu/ebmcpu/asm"

// Mode selects how BatchNorm and spectral normalisation behave in a pass.
type Mode uint8

const (
	// Eval uses BatchNorm running statistics and the stored spectral-norm
	// vectors; it changes no network state, so eval passes on separate
	// workspaces may run concurrently.
	Eval Mode = iota
	// Train uses BatchNorm batch statistics (and updates the running ones) and
	// advances each spectral-norm power iteration by one step. Train passes
	// write network buffers: run them from one goroutine.
	Train
)

func (m Mode) String() string {
	if m == Train {
		return "train"
	}
	return "eval"
}

// Grad says which gradients a backward pass computes.
type Grad uint8

const (
	// GradParams accumulates parameter gradients into Param.Grad.
	GradParams Grad = 1 << iota
	// GradInput returns the gradient with respect to the network input (and,
	// after a tangent pass, with respect to the input tangents).
	GradInput
)

// A Layer is one stage of a Sequential network. Layers are built by the
// constructors of this package (NewLinear, NewActivation, NewBatchNorm,
// NewScale) and belong to at most one network.
//
// Every layer works on stacked blocks of rows: a pass over a batch of B
// samples with k tangent directions per sample sees a (1+k)·B × width
// matrix whose first B rows are the primal values and whose row (1+t)·B + b
// is tangent t of sample b (the k-major tangent layout of the package).
type Layer[T asm.Float] interface {
	// Kind names the layer type ("linear", "prelu", "batchnorm", ...).
	Kind() string
	// In and Out are the input and output widths.
	In() int
	Out() int
	// Params and Buffers return the layer's learnable tensors and state.
	Params() []*Param[T]
	Buffers() []*Buffer[T]

	// bind makes the per-workspace state of the layer for at most maxB
	// samples and maxK tangents.
	bind(maxB, maxK int) runner[T]
}

// A runner is a layer bound to a workspace: the layer plus its caches.
type runner[T asm.Float] interface {
	// forward maps the stacked input x ((1+k)·B × In) to y ((1+k)·B × Out):
	// primal rows through the layer, tangent rows through its Jacobian.
	forward(p *pass, x, y []T)
	// backward maps the stacked upstream gradient g ((1+kg)·B × Out) to gx
	// (same rows × In), accumulating parameter gradients when p.params is set.
	// gx is nil when nobody needs it (first layer, no input gradient). x and
	// y are the forward's input and output.
	backward(p *pass, x, y, g, gx []T)
}

// pass describes the shape and options of one forward/backward pair.
//
// Tangent-dependent terms (the second-order parts of reverse mode through a
// tangent pass) exist only when the forward carried tangents (k > 0) and the
// backward carries their cotangents (kg > 0); then kg = k. With k = 0 and
// kg > 0 the backward is a batch of vector–Jacobian products at the primal
// point, k cotangents per sample, in the same stacked layout.
type pass struct {
	B     int  // samples
	k     int  // tangent blocks in the forward's x and y
	kg    int  // cotangent blocks in the backward's g and gx
	mode  Mode // mode of the forward
	param bool // accumulate parameter gradients
	// gZero says the primal block of g is identically zero, so layers skip
	// it (its contents are then undefined). A layer whose backward makes the
	// primal gradient nonzero clears it.
	gZero bool
	// t0 is the first row a forward computes: 0, or B for a pass of new
	// tangents at the point of the workspace's previous tangent pass, whose
	// primal rows (and the caches layers derive from them) are reused.
	t0 int
}

// kt is the number of tangent blocks that meet a cotangent block.
func (p *pass) kt() int {
	if p.kg == 0 {
		return 0
	}
	return p.k
}

// g0 is the first row of g that carries data.
func (p *pass) g0() int {
	if p.gZero {
		return p.B
	}
	return 0
}
