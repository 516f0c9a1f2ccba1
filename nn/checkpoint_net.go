package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Tensor and blob names used by the helpers below: a network stored under
// prefix "energy" has tensors "energy/params/0.weight",
// "energy/buffers/2.running_mean", …; an optimizer stored as "energy" is the
// blob "optim/energy"; the RNG is the blob "rng".

func netTensorName(prefix, kind, name string) string { return prefix + "/" + kind + "/" + name }

func dtypeOf[T asm.Float]() DType {
	if asm.Is32[T]() {
		return Float32
	}
	return Float64
}

// AddNetwork stores the parameters and buffers of n under prefix.
func AddNetwork[T asm.Float](c *Checkpoint, prefix string, n *Network[T]) {
	add := func(kind, name string, shape []int, v []T) {
		t := &Tensor{Name: netTensorName(prefix, kind, name), DType: dtypeOf[T](), Shape: slices.Clone(shape), Data: make([]float64, len(v))}
		for i, x := range v {
			t.Data[i] = float64(x)
		}
		c.SetTensor(t)
	}
	for _, p := range n.Params() {
		add("params", p.Name, p.Shape, p.Value)
	}
	for _, b := range n.Buffers() {
		add("buffers", b.Name, b.Shape, b.Value)
	}
}

// LoadNetwork restores the parameters and buffers of n stored under prefix,
// converting the element type if needed. A missing or extra tensor, or a shape
// that differs from the network's, is an error wrapping ErrMismatch; on error
// n is unchanged.
func LoadNetwork[T asm.Float](c *Checkpoint, prefix string, n *Network[T]) error {
	type item struct {
		dst []T
		src *Tensor
	}
	var items []item
	want := map[string]bool{}
	check := func(kind, name string, shape []int, dst []T) error {
		full := netTensorName(prefix, kind, name)
		want[full] = true
		t, ok := c.Tensor(full)
		if !ok {
			return c.errf(ErrMismatch, "network %q: tensor %s is missing", prefix, full)
		}
		if !slices.Equal(t.Shape, shape) {
			return c.errf(ErrMismatch, "network %q: tensor %s has shape %v, the network wants %v", prefix, full, t.Shape, shape)
		}
		items = append(items, item{dst, t})
		return nil
	}
	for _, p := range n.Params() {
		if err := check("params", p.Name, p.Shape, p.Value); err != nil {
			return err
		}
	}
	for _, b := range n.Buffers() {
		if err := check("buffers", b.Name, b.Shape, b.Value); err != nil {
			return err
		}
	}
	for _, t := range c.Tensors() {
		if strings.HasPrefix(t.Name, prefix+"/") && !want[t.Name] {
			return c.errf(ErrMismatch, "network %q: checkpoint has tensor %s, which the network lacks", prefix, t.Name)
		}
	}
	for _, it := range items {
		for i, v := range it.src.Data {
			it.dst[i] = T(v)
		}
	}
	return nil
}

// AddOptimizer stores the state of o as the blob "optim/"+name.
func (c *Checkpoint) AddOptimizer(name string, o Optimizer) error {
	b, err := o.MarshalBinary()
	if err != nil {
		return err
	}
	c.SetBlob("optim/"+name, b)
	return nil
}

// LoadOptimizer restores o from the blob "optim/"+name.
func (c *Checkpoint) LoadOptimizer(name string, o Optimizer) error {
	b, ok := c.Blob("optim/" + name)
	if !ok {
		return c.errf(ErrMismatch, "optimizer %q is missing", name)
	}
	if err := o.UnmarshalBinary(b); err != nil {
		return c.errf(ErrMismatch, "optimizer %q: %v", name, err)
	}
	return nil
}

// RNGBlob is the blob name of the RNG state.
const RNGBlob = "rng"

// AddRNG stores the state of r.
func (c *Checkpoint) AddRNG(r *RNG) error {
	b, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	c.SetBlob(RNGBlob, b)
	return nil
}

// LoadRNG restores r.
func (c *Checkpoint) LoadRNG(r *RNG) error {
	b, ok := c.Blob(RNGBlob)
	if !ok {
		return c.errf(ErrMismatch, "RNG state is missing")
	}
	if err := r.UnmarshalBinary(b); err != nil {
		return c.errf(ErrCorrupt, "%v", err)
	}
	return nil
}

// String summarises the checkpoint's sections.
func (c *Checkpoint) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "step %d", c.Step)
	for _, t := range c.tensors {
		fmt.Fprintf(&sb, "\n  tensor %s %v %v", t.Name, t.DType, t.Shape)
	}
	for _, b := range c.blobs {
		fmt.Fprintf(&sb, "\n  blob %s (%d bytes)", b.name, len(b.data))
	}
	return sb.String()
}
