package bounds

import (
	"fmt"
	"math"
)

// quadrature returns the K nodes (ascending) and weights on [0, 1] of a
// rule: "trapezoid" (K ≥ 2, nodes k/(K−1)) or "gauss-legendre" (K ≥ 1).
func quadrature(rule string, K int) (nodes, weights []float64, err error) {
	switch rule {
	case "trapezoid":
		if K < 2 {
			return nil, nil, fmt.Errorf("bounds: the trapezoid rule needs at least 2 nodes, got %d", K)
		}
		nodes, weights = make([]float64, K), make([]float64, K)
		h := 1 / float64(K-1)
		for k := range nodes {
			nodes[k] = float64(k) * h
			weights[k] = h
		}
		nodes[K-1] = 1
		weights[0], weights[K-1] = h/2, h/2
		return nodes, weights, nil
	case "gauss-legendre":
		if K < 1 {
			return nil, nil, fmt.Errorf("bounds: Gauss–Legendre needs at least 1 node, got %d", K)
		}
		nodes, weights = gaussLegendre(K)
		return nodes, weights, nil
	}
	return nil, nil, fmt.Errorf("bounds: unknown quadrature rule %q (want trapezoid or gauss-legendre)", rule)
}

// gaussLegendre returns the K-point Gauss–Legendre rule mapped to [0, 1],
// nodes ascending: Newton's method on P_K from the Chebyshev-like guesses
// cos(π(i − ¼)/(K + ½)), weights 2/((1 − x²)·P_K'(x)²) halved.
func gaussLegendre(K int) (nodes, weights []float64) {
	nodes, weights = make([]float64, K), make([]float64, K)
	for i := 0; i < K; i++ {
		x := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(K) + 0.5))
		for it := 0; it < 100; it++ {
			p, d := legendre(K, x)
			dx := p / d
			x -= dx
			if math.Abs(dx) < 1e-16 {
				break
			}
		}
		_, dp := legendre(K, x)
		// x descends with i, so s = (1 − x)/2 ascends.
		nodes[i] = (1 - x) / 2
		weights[i] = 1 / ((1 - x*x) * dp * dp)
	}
	return nodes, weights
}

// legendre returns P_n(x) and P_n'(x) by the three-term recurrence.
func legendre(n int, x float64) (p, dp float64) {
	p0, p1 := 1.0, x
	if n == 0 {
		return 1, 0
	}
	for k := 2; k <= n; k++ {
		p0, p1 = p1, ((2*float64(k)-1)*x*p1-(float64(k)-1)*p0)/float64(k)
	}
	return p1, float64(n) * (x*p1 - p0) / (x*x - 1)
}

// riemannSums returns the left and right Riemann sums of the values vals at
// the ascending nodes in [0, 1], on the cells [0, s_0], [s_0, s_1], …,
// [s_{K−1}, 1]: the left sum takes each cell's left node value, the right
// sum its right node value (the outer cells take the nearest node). For the
// trapezoid nodes these are the usual left and right sums, whose mean is the
// trapezoid rule; for a monotone integrand they bracket the integral.
func riemannSums(nodes, vals []float64) (left, right float64) {
	K := len(nodes)
	left = nodes[0]*vals[0] + (1-nodes[K-1])*vals[K-1]
	right = left
	for k := 1; k < K; k++ {
		w := nodes[k] - nodes[k-1]
		left += w * vals[k-1]
		right += w * vals[k]
	}
	return left, right
}
