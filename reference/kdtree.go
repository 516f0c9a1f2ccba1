package reference

import (
	"cmp"
	"math"
	"slices"
)

// leafSize is the largest number of points in a k-d tree leaf.
const leafSize = 16

// A kdTree holds points for Gaussian kernel sums. Its nodes split their
// points at the median of the coordinate with the widest bounding box; the
// points are stored reordered so that every node owns a contiguous range.
type kdTree struct {
	d     int
	pts   []float64 // n×d, reordered
	nodes []kdNode
	box   []float64 // per node: the lower corner (d values), then the upper corner
}

type kdNode struct {
	begin, end  int // the node's points are pts[begin·d : end·d]
	left, right int // child nodes; left < 0 for a leaf
	dim         int // split coordinate
	split       float64
}

// newKDTree builds the tree of the n points in x (n×d, row-major).
func newKDTree(x []float64, n, d int) *kdTree {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	t := &kdTree{d: d}
	t.build(x, perm, 0, n)
	t.pts = make([]float64, 0, n*d)
	for _, i := range perm {
		t.pts = append(t.pts, x[i*d:(i+1)*d]...)
	}
	return t
}

// build appends the node for perm[begin:end] and its subtree, and returns its index.
func (t *kdTree) build(x []float64, perm []int, begin, end int) int {
	d := t.d
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{begin: begin, end: end, left: -1, right: -1})
	lo, hi := make([]float64, d), make([]float64, d)
	for j := range d {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range perm[begin:end] {
		for j, v := range x[i*d : (i+1)*d] {
			lo[j] = min(lo[j], v)
			hi[j] = max(hi[j], v)
		}
	}
	t.box = append(append(t.box, lo...), hi...)
	if end-begin <= leafSize {
		return id
	}
	dim := 0
	for j := range d {
		if hi[j]-lo[j] > hi[dim]-lo[dim] {
			dim = j
		}
	}
	if hi[dim] == lo[dim] { // all points coincide: nothing to split
		return id
	}
	// Sort by the split coordinate, ties by index, so the tree is a function of x.
	slices.SortFunc(perm[begin:end], func(a, b int) int {
		if c := cmp.Compare(x[a*d+dim], x[b*d+dim]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	mid := (begin + end) / 2
	split := x[perm[mid]*d+dim]
	left := t.build(x, perm, begin, mid)
	right := t.build(x, perm, mid, end)
	t.nodes[id].left, t.nodes[id].right = left, right
	t.nodes[id].dim, t.nodes[id].split = dim, split
	return id
}

// kernelSum carries one query through the tree: the nearest squared distance
// m so far and s = Σ exp(−(r_i² − m)·inv) over the points taken so far.
type kernelSum struct {
	q        []float64
	inv, off float64 // inv = 1/(2h²); off = 2h²τ, the pruning margin beyond m
	m, s     float64
}

// logKernelSum returns log Σ_i exp(−‖q − p_i‖²/(2h²)) over the tree's points,
// given inv = 1/(2h²) and the pruning margin off = 2h²τ: terms below e^(−τ)
// times the largest are skipped (see the package documentation).
func (t *kdTree) logKernelSum(q []float64, inv, off float64) float64 {
	ks := kernelSum{q: q, inv: inv, off: off, m: math.Inf(1)}
	t.visit(0, &ks)
	return math.Log(ks.s) - ks.m*inv
}

func (t *kdTree) visit(id int, ks *kernelSum) {
	nd := &t.nodes[id]
	if nd.left < 0 {
		t.leaf(nd.begin, nd.end, ks)
		return
	}
	near, far := nd.left, nd.right
	if ks.q[nd.dim] >= nd.split {
		near, far = far, near
	}
	if t.boxDist2(near, ks.q) <= ks.m+ks.off {
		t.visit(near, ks)
	}
	if t.boxDist2(far, ks.q) <= ks.m+ks.off {
		t.visit(far, ks)
	}
}

// boxDist2 is the squared distance from q to the bounding box of node id.
func (t *kdTree) boxDist2(id int, q []float64) float64 {
	d := t.d
	lo := t.box[2*d*id : 2*d*id+d]
	hi := t.box[2*d*id+d : 2*d*(id+1)]
	var r2 float64
	for j, v := range q {
		if e := lo[j] - v; e > 0 {
			r2 += e * e
		} else if e := v - hi[j]; e > 0 {
			r2 += e * e
		}
	}
	return r2
}

func (t *kdTree) leaf(begin, end int, ks *kernelSum) {
	d := t.d
	q := ks.q
	for i := begin; i < end; i++ {
		p := t.pts[i*d : (i+1)*d]
		var r2 float64
		for j, v := range p {
			e := q[j] - v
			r2 += e * e
		}
		switch {
		case r2 > ks.m+ks.off:
		case r2 < ks.m: // a new nearest point: rescale the sum to it
			ks.s = ks.s*expNeg((r2-ks.m)*ks.inv) + 1
			ks.m = r2
		default:
			ks.s += expNeg((ks.m - r2) * ks.inv)
		}
	}
}
