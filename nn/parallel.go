package nn

import (
	"github.com/ebmcpu/ebmcpu/internal/parallel"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// Element-wise work bound by memory bandwidth (the optimizer step over every
// parameter), where a second core adds bandwidth, runs on internal/parallel's
// reusable goroutines. The number of parts follows linalg.Workers, the
// package-wide thread setting. Parts split the elements, never a reduction,
// so results do not depend on the worker count.

// parallelMin is the element count below which a job runs on the calling
// goroutine: handing a part to another core costs a few microseconds.
const parallelMin = 1 << 17

// runParts runs fn over n elements in linalg.Workers() parts if n is large
// enough (part 0 on the calling goroutine) and returns when all are done.
// fn is a func value made once; g must not be in use.
func runParts(fn func(part, parts int), n int, g *parallel.Group) {
	parallel.Run(fn, min(linalg.Workers(), n/(parallelMin/2)), g)
}

// partRange returns the half-open range [lo, hi) of part out of parts over
// n elements, in multiples of 16 (whole cache lines of float32) except at
// the end.
func partRange(part, parts, n int) (lo, hi int) {
	q := n / 16
	lo, hi = part*q/parts*16, (part+1)*q/parts*16
	if part == parts-1 {
		hi = n
	}
	return lo, hi
}
