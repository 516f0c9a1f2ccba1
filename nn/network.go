package nn

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Network is a Sequential stack of layers. It owns the parameters and buffers;
// activations and caches live in Workspaces (NewWorkspace), so several passes
// can be in flight at once and Eval passes can run concurrently, each on its
// own workspace. Backward passes accumulate into Param.Grad, which is shared:
// run them from one goroutine.
type Network[T asm.Float] struct {
	layers  []Layer[T]
	params  []*Param[T]
	buffers []*Buffer[T]
}

// NewSequential chains layers into a network. Parameter and buffer names get
// the layer index as a prefix, as in torch's Sequential state_dict
// ("0.weight", "2.running_mean"). It returns an error if there are no layers,
// if consecutive widths differ or if a layer appears twice.
func NewSequential[T asm.Float](layers ...Layer[T]) (*Network[T], error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("nn: NewSequential: no layers")
	}
	seen := make(map[Layer[T]]bool, len(layers))
	n := &Network[T]{layers: layers}
	for i, l := range layers {
		if seen[l] {
			return nil, fmt.Errorf("nn: NewSequential: layer %d (%s) appears twice", i, l.Kind())
		}
		seen[l] = true
		if i > 0 && layers[i-1].Out() != l.In() {
			return nil, fmt.Errorf("nn: NewSequential: layer %d (%s) outputs width %d but layer %d (%s) takes %d",
				i-1, layers[i-1].Kind(), layers[i-1].Out(), i, l.Kind(), l.In())
		}
		prefix := strconv.Itoa(i) + "."
		for _, p := range l.Params() {
			p.Name = prefix + localName(p.Name)
			n.params = append(n.params, p)
		}
		for _, b := range l.Buffers() {
			b.Name = prefix + localName(b.Name)
			n.buffers = append(n.buffers, b)
		}
	}
	return n, nil
}

// localName strips a previous index prefix.
func localName(s string) string {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// In returns the input width.
func (n *Network[T]) In() int { return n.layers[0].In() }

// Out returns the output width.
func (n *Network[T]) Out() int { return n.layers[len(n.layers)-1].Out() }

// Layers returns the layers in order.
func (n *Network[T]) Layers() []Layer[T] { return n.layers }

// Params returns the learnable parameters in layer order.
func (n *Network[T]) Params() []*Param[T] { return n.params }

// Buffers returns the non-learnable state (BatchNorm running statistics,
// spectral-norm vectors) in layer order.
func (n *Network[T]) Buffers() []*Buffer[T] { return n.buffers }

// NumParams returns the number of scalar parameters.
func (n *Network[T]) NumParams() int {
	s := 0
	for _, p := range n.params {
		s += len(p.Value)
	}
	return s
}

// ZeroGrad sets every parameter gradient to zero.
func (n *Network[T]) ZeroGrad() {
	for _, p := range n.params {
		clear(p.Grad)
	}
}

// String describes the layers, e.g. "linear(2→100) prelu(100) ...".
func (n *Network[T]) String() string {
	var sb strings.Builder
	for i, l := range n.layers {
		if i > 0 {
			sb.WriteByte(' ')
		}
		if l.In() != l.Out() || l.Kind() == "linear" {
			fmt.Fprintf(&sb, "%s(%d→%d)", l.Kind(), l.In(), l.Out())
		} else {
			fmt.Fprintf(&sb, "%s(%d)", l.Kind(), l.In())
		}
		if lin, ok := l.(*Linear[T]); ok && lin.U != nil {
			sb.WriteString("+sn")
		}
	}
	return sb.String()
}

// CopyState copies every parameter value and buffer of src into dst, matching
// them by name and converting the element type: a float64 twin of a float32
// network for exact references, or back. It returns an error if the two
// networks do not hold the same names and sizes.
func CopyState[D, S asm.Float](dst *Network[D], src *Network[S]) error {
	if len(dst.params) != len(src.params) || len(dst.buffers) != len(src.buffers) {
		return fmt.Errorf("nn: CopyState: networks differ in structure (%d/%d params, %d/%d buffers)",
			len(dst.params), len(src.params), len(dst.buffers), len(src.buffers))
	}
	for i, p := range src.params {
		if err := copyConvert(dst.params[i].Name, p.Name, dst.params[i].Value, p.Value); err != nil {
			return err
		}
	}
	for i, b := range src.buffers {
		if err := copyConvert(dst.buffers[i].Name, b.Name, dst.buffers[i].Value, b.Value); err != nil {
			return err
		}
	}
	return nil
}

func copyConvert[D, S asm.Float](dname, sname string, dst []D, src []S) error {
	if dname != sname || len(dst) != len(src) {
		return fmt.Errorf("nn: CopyState: %s (%d values) does not match %s (%d values)", dname, len(dst), sname, len(src))
	}
	for i, v := range src {
		dst[i] = D(v)
	}
	return nil
}
