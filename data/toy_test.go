package data

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func mustToy(t testing.TB, name string, opts ...ToyOption) *Toy {
	t.Helper()
	toy, err := NewToy(name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return toy
}

func sample(t testing.TB, name string, n int, seed uint64, opts ...ToyOption) []float64 {
	pts := make([]float64, 2*n)
	mustToy(t, name, opts...).Sample(newRand(seed), pts, n)
	return pts
}

// moments are a 2-D mean and covariance (xx, yy, xy).
type moments struct {
	mean [2]float64
	cov  [3]float64
}

// sampleMoments returns the sample moments and their standard errors.
func sampleMoments(pts []float64) (m, se moments) {
	n := float64(len(pts) / 2)
	for i := 0; i < len(pts); i += 2 {
		m.mean[0] += pts[i] / n
		m.mean[1] += pts[i+1] / n
	}
	var c4 [3]float64 // second moments of the covariance products
	for i := 0; i < len(pts); i += 2 {
		dx, dy := pts[i]-m.mean[0], pts[i+1]-m.mean[1]
		p := [3]float64{dx * dx, dy * dy, dx * dy}
		for k := range p {
			m.cov[k] += p[k] / n
			c4[k] += p[k] * p[k] / n
		}
	}
	se.mean = [2]float64{math.Sqrt(m.cov[0] / n), math.Sqrt(m.cov[1] / n)}
	for k := range c4 {
		se.cov[k] = math.Sqrt((c4[k] - m.cov[k]*m.cov[k]) / n)
	}
	return m, se
}

// midpoint integrates f over [a, b] with n midpoint nodes.
func midpoint(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	var s float64
	for i := 0; i < n; i++ {
		s += f(a + (float64(i)+0.5)*h)
	}
	return s * h
}

// isotropic returns the moments of a centred law with E|x|² = 2v.
func isotropic(v float64) moments { return moments{cov: [3]float64{v, v, 0}} }

// wantMoments derives each set's mean and covariance from its SPEC §6
// definition, independently of the generators.
func wantMoments() map[string]moments {
	w := map[string]moments{}

	// swissroll: t ~ U(1.5π, 4.5π), x = (t cos t + ε₁)/5, y = (t sin t + ε₂)/5.
	{
		a, b := 1.5*math.Pi, 4.5*math.Pi
		e := func(f func(t float64) float64) float64 { return midpoint(f, a, b, 200000) / (b - a) }
		mx := e(func(t float64) float64 { return t * math.Cos(t) }) / 5
		my := e(func(t float64) float64 { return t * math.Sin(t) }) / 5
		xx := e(func(t float64) float64 { return t * t * math.Cos(t) * math.Cos(t) })/25 + 0.04
		yy := e(func(t float64) float64 { return t * t * math.Sin(t) * math.Sin(t) })/25 + 0.04
		xy := e(func(t float64) float64 { return t * t * math.Cos(t) * math.Sin(t) }) / 25
		w["swissroll"] = moments{[2]float64{mx, my}, [3]float64{xx - mx*mx, yy - my*my, xy - mx*my}}
	}

	// Rings with uniform angle: E x = 0, Cov = (E R²/2 + σ²) I.
	ring := func(radii []float64, sigma float64) moments {
		var r2 float64
		for _, r := range radii {
			r2 += r * r / float64(len(radii))
		}
		return isotropic(r2/2 + sigma*sigma)
	}
	w["circles"] = ring([]float64{3, 1.5}, 0.24)
	w["rings"] = ring([]float64{3, 2.25, 1.5, 0.75}, 0.08)

	// moons-raw: θ ~ U(0, π); (cos θ, sin θ) or (1 − cos θ, ½ − sin θ).
	{
		e := func(f func(float64) float64) float64 { return midpoint(f, 0, math.Pi, 100000) / math.Pi }
		arcs := []func(th float64) (float64, float64){
			func(th float64) (float64, float64) { return math.Cos(th), math.Sin(th) },
			func(th float64) (float64, float64) { return 1 - math.Cos(th), 0.5 - math.Sin(th) },
		}
		var s [5]float64 // E x, E y, E x², E y², E xy
		for _, arc := range arcs {
			for k, f := range []func(x, y float64) float64{
				func(x, _ float64) float64 { return x },
				func(_, y float64) float64 { return y },
				func(x, _ float64) float64 { return x * x },
				func(_, y float64) float64 { return y * y },
				func(x, y float64) float64 { return x * y },
			} {
				s[k] += e(func(th float64) float64 { return f(arc(th)) }) / 2
			}
		}
		raw := moments{[2]float64{s[0], s[1]},
			[3]float64{s[2] - s[0]*s[0] + 0.01, s[3] - s[1]*s[1] + 0.01, s[4] - s[0]*s[1]}}
		w["moons-raw"] = raw
		w["moons"] = moments{[2]float64{2*raw.mean[0] - 1, 2*raw.mean[1] - 0.2},
			[3]float64{4 * raw.cov[0], 4 * raw.cov[1], 4 * raw.cov[2]}}
	}

	// Gaussian mixtures: Cov = (E[c cᵀ] + std² I)/div², mean E c/div.
	mixture := func(centres [][2]float64, std, div float64) moments {
		var m moments
		k := float64(len(centres))
		for _, c := range centres {
			m.mean[0] += c[0] / k / div
			m.mean[1] += c[1] / k / div
			m.cov[0] += (c[0]*c[0] + std*std) / k / (div * div)
			m.cov[1] += (c[1]*c[1] + std*std) / k / (div * div)
			m.cov[2] += c[0] * c[1] / k / (div * div)
		}
		m.cov[0] -= m.mean[0] * m.mean[0]
		m.cov[1] -= m.mean[1] * m.mean[1]
		m.cov[2] -= m.mean[0] * m.mean[1]
		return m
	}
	var eight, grid [][2]float64
	for k := 0; k < 8; k++ {
		eight = append(eight, [2]float64{4 * math.Cos(float64(k)*math.Pi/4), 4 * math.Sin(float64(k)*math.Pi/4)})
	}
	for i := -2; i <= 2; i++ {
		for j := -2; j <= 2; j++ {
			grid = append(grid, [2]float64{float64(2 * i), float64(2 * j)})
		}
	}
	w["8gaussians"] = mixture(eight, 0.5, 1.414)
	w["25gaussians"] = mixture(grid, 0.05, 2.828)

	// pinwheel: x = 2(r + is)e^(−ia) as a complex number, so E|x|² =
	// 4(E r² + E s²) = 4(1 + 0.09 + 0.01); the five arms (Σ_k e^(−2πik/5) = 0,
	// Σ_k e^(−4πik/5) = 0) make the mean zero and the covariance isotropic.
	w["pinwheel"] = isotropic(4 * 1.1 / 2)

	// 2spirals: ±p/3 + N(0, 0.01 I), p = (−φ cos φ + j₁, φ sin φ + j₂),
	// φ = 3π√u, j ~ U(0, ½): E j = ¼, E j² = 1/12. The sign makes the mean 0.
	{
		e := func(f func(phi float64) float64) float64 {
			return midpoint(func(u float64) float64 { return f(3 * math.Pi * math.Sqrt(u)) }, 0, 1, 400000)
		}
		pc := e(func(p float64) float64 { return p * math.Cos(p) })
		ps := e(func(p float64) float64 { return p * math.Sin(p) })
		xx := e(func(p float64) float64 { return p * p * math.Cos(p) * math.Cos(p) }) - 0.5*pc + 1.0/12
		yy := e(func(p float64) float64 { return p * p * math.Sin(p) * math.Sin(p) }) + 0.5*ps + 1.0/12
		xy := -e(func(p float64) float64 { return p * p * math.Cos(p) * math.Sin(p) }) - 0.25*pc + 0.25*ps + 0.0625
		w["2spirals"] = moments{cov: [3]float64{xx/9 + 0.01, yy/9 + 0.01, xy / 9}}
	}

	// checkerboard: uniform over the cells [2i, 2i+2) × [2j, 2j+2), i + j even.
	{
		var m moments
		for i := -2; i < 2; i++ {
			for j := -2; j < 2; j++ {
				if (i+j)%2 != 0 {
					continue
				}
				cx, cy := float64(2*i+1), float64(2*j+1)
				m.cov[0] += (cx*cx + 1.0/3) / 8 // a cell side of 2 adds 2²/12
				m.cov[1] += (cy*cy + 1.0/3) / 8
				m.cov[2] += cx * cy / 8
				m.mean[0] += cx / 8
				m.mean[1] += cy / 8
			}
		}
		w["checkerboard"] = m
	}
	return w
}

func TestToyMoments(t *testing.T) {
	want := wantMoments()
	const n = 400000
	for i, name := range Toys() {
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: no reference moments", name)
			continue
		}
		m, se := sampleMoments(sample(t, name, n, uint64(i+1)))
		for k := range m.mean {
			if d := math.Abs(m.mean[k] - w.mean[k]); d > 5*se.mean[k] {
				t.Errorf("%s: mean[%d] = %.5f, want %.5f (±%.2g)", name, k, m.mean[k], w.mean[k], se.mean[k])
			}
		}
		for k, lbl := range []string{"var x", "var y", "cov xy"} {
			if d := math.Abs(m.cov[k] - w.cov[k]); d > 5*se.cov[k] {
				t.Errorf("%s: %s = %.5f, want %.5f (±%.2g)", name, lbl, m.cov[k], w.cov[k], se.cov[k])
			}
		}
	}
}

// The moment test can fail: a 5 % error in a scale is detected.
func TestToyMomentsDetectScaleError(t *testing.T) {
	w := wantMoments()["8gaussians"]
	pts := sample(t, "8gaussians", 400000, 1)
	for i := range pts {
		pts[i] *= 1.05
	}
	m, se := sampleMoments(pts)
	if d := math.Abs(m.cov[0] - w.cov[0]); d <= 5*se.cov[0] {
		t.Errorf("a 5%% scale error went unnoticed: var x %.4f vs %.4f (±%.2g)", m.cov[0], w.cov[0], se.cov[0])
	}
}

func TestToyBounds(t *testing.T) {
	for i, name := range Toys() {
		toy := mustToy(t, name)
		b := toy.Bounds()
		pts := sample(t, name, 200000, uint64(100+i))
		for k := 0; k < len(pts); k += 2 {
			if !b.Contains(pts[k], pts[k+1]) {
				t.Errorf("%s: point (%v, %v) outside Bounds %v", name, pts[k], pts[k+1], b)
				break
			}
		}
		if sq := b.Square(); !sq.Contains(b.Min[0], b.Min[1]) || !sq.Contains(b.Max[0], b.Max[1]) {
			t.Errorf("%s: Square %v does not contain %v", name, sq, b)
		}
	}
}

func TestToyNames(t *testing.T) {
	names := Toys()
	want := []string{"swissroll", "circles", "rings", "moons", "moons-raw", "8gaussians", "25gaussians",
		"pinwheel", "2spirals", "checkerboard"}
	if !slices.Equal(names, want) {
		t.Errorf("Toys() = %v, want %v", names, want)
	}
	for _, name := range names {
		toy := mustToy(t, name)
		if toy.Name() != name || toy.Dim() != 2 || toy.Formula() == "" {
			t.Errorf("%s: Name %q, Dim %d, Formula %q", name, toy.Name(), toy.Dim(), toy.Formula())
		}
	}
	// The user documentation lists every set.
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.Contains(string(doc), "\n//\t"+name+" ") {
			t.Errorf("doc.go has no table row for %s", name)
		}
	}
	_, err = NewToy("spiral")
	if err == nil || !strings.Contains(err.Error(), `"spiral"`) || !strings.Contains(err.Error(), "25gaussians, pinwheel") {
		t.Errorf("unknown name: error %v should name the input and list the sets", err)
	}
	if _, err := NewToy("rings", Stratified(true)); err == nil {
		t.Error("stratified rings: no error")
	}
	if _, err := NewToy("8gaussians", Stratified(true)); err != nil {
		t.Errorf("stratified 8gaussians: %v", err)
	}
}

func TestToyDeterminism(t *testing.T) {
	const n = 257
	for _, name := range Toys() {
		toy := mustToy(t, name)
		a, b := make([]float64, 2*n), make([]float64, 2*n)
		toy.Sample(newRand(7), a, n)
		toy.Sample(newRand(7), b, n)
		if !slices.Equal(a, b) {
			t.Errorf("%s: same seed, different batches", name)
		}
		toy.Sample(newRand(8), b, n)
		if slices.Equal(a, b) {
			t.Errorf("%s: different seeds, same batch", name)
		}
		// Sample32 rounds exactly the points Sample makes.
		c := make([]float32, 2*n+1)
		c[2*n] = 42 // must not be touched
		toy.Sample32(newRand(7), c, n)
		for i := range a {
			if c[i] != float32(a[i]) {
				t.Fatalf("%s: Sample32[%d] = %v, Sample = %v", name, i, c[i], a[i])
			}
		}
		if c[2*n] != 42 {
			t.Errorf("%s: Sample32 wrote past 2n", name)
		}
		// A batch continues the source where the previous one stopped.
		rng := newRand(7)
		toy.Sample(rng, b[:2*100], 100)
		toy.Sample(rng, b[2*100:], n-100)
		if !slices.Equal(a, b) && !toy.IsStratified() {
			t.Errorf("%s: two batches differ from one batch of the same source", name)
		}
	}
}

func TestToyAllocs(t *testing.T) {
	const n = 200
	buf := make([]float32, 2*n)
	rng := newRand(1)
	for _, name := range Toys() {
		toy := mustToy(t, name)
		if a := testing.AllocsPerRun(50, func() { toy.Sample32(rng, buf, n) }); a != 0 {
			t.Errorf("%s: Sample32 allocates %v times per batch", name, a)
		}
		bt := toy.Batches(rng)
		if a := testing.AllocsPerRun(50, func() { bt.Next(buf, n) }); a != 0 {
			t.Errorf("%s: Batcher.Next allocates %v times per batch", name, a)
		}
	}
}

func TestToySamplePanicsOnShortBuffer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a short destination")
		}
	}()
	mustToy(t, "rings").Sample32(newRand(1), make([]float32, 3), 2)
}

// nearest returns the index of the closest centre.
func nearest(centres [][2]float64, x, y float64) (int, float64) {
	best, bd := -1, math.Inf(1)
	for k, c := range centres {
		if d := math.Hypot(x-c[0], y-c[1]); d < bd {
			best, bd = k, d
		}
	}
	return best, bd
}

func TestGaussianMixtureSupport(t *testing.T) {
	for _, name := range []string{"8gaussians", "25gaussians"} {
		toy := mustToy(t, name)
		centres, sigma, ok := toy.Modes()
		if !ok {
			t.Fatalf("%s: no modes", name)
		}
		pts := sample(t, name, 200000, 3)
		counts := make([]int, len(centres))
		var within3 int
		for i := 0; i < len(pts); i += 2 {
			k, d := nearest(centres, pts[i], pts[i+1])
			if d > 7*sigma {
				t.Fatalf("%s: point %d is %.1fσ from every centre", name, i/2, d/sigma)
			}
			if d < 3*sigma {
				within3++
			}
			counts[k]++
		}
		// Each centre gets 1/K of the points; |x − c| < 3σ has probability
		// 1 − e^(−9/2) for an isotropic 2-D Gaussian.
		n := float64(len(pts) / 2)
		p := 1 / float64(len(centres))
		for k, c := range counts {
			if math.Abs(float64(c)-n*p) > 5*math.Sqrt(n*p*(1-p)) {
				t.Errorf("%s: centre %d has %d points, expected %.0f", name, k, c, n*p)
			}
		}
		// On 8gaussians, neighbours are 6.1σ apart and a point of one component
		// can fall within 3σ of the next, so the count may only exceed n(1 − e^(−9/2)).
		q := 1 - math.Exp(-4.5)
		d := float64(within3) - n*q
		if name == "8gaussians" {
			d = min(d, 0)
		}
		if math.Abs(d) > 5*math.Sqrt(n*q*(1-q)) {
			t.Errorf("%s: %d points within 3σ, expected %.0f", name, within3, n*q)
		}
	}
	if _, _, ok := mustToy(t, "rings").Modes(); ok {
		t.Error("rings reports Gaussian modes")
	}
}

func TestStratified25Gaussians(t *testing.T) {
	toy := mustToy(t, "25gaussians", Stratified(true))
	if !toy.IsStratified() {
		t.Fatal("IsStratified = false")
	}
	centres, _, _ := toy.Modes()
	rng := newRand(5)
	buf := make([]float64, 400)
	for batch := 0; batch < 20; batch++ {
		toy.Sample(rng, buf, 200)
		counts := make([]int, 25)
		for i := 0; i < 200; i++ {
			k, _ := nearest(centres, buf[2*i], buf[2*i+1])
			if k != i%25 {
				t.Fatalf("batch %d: position %d at centre %d, want %d", batch, i, k, i%25)
			}
			counts[k]++
		}
		for k, c := range counts {
			if c != 8 {
				t.Fatalf("batch %d: centre %d hit %d times, want 8", batch, k, c)
			}
		}
	}
	// The i.i.d. version does not balance a batch.
	plain := mustToy(t, "25gaussians")
	plain.Sample(rng, buf, 200)
	counts := make([]int, 25)
	for i := 0; i < 200; i++ {
		k, _ := nearest(centres, buf[2*i], buf[2*i+1])
		counts[k]++
	}
	if slices.Max(counts) == 8 && slices.Min(counts) == 8 {
		t.Error("i.i.d. 25gaussians hit every centre exactly 8 times")
	}
}

func TestRingsRadius(t *testing.T) {
	radii, sigma := []float64{3, 2.25, 1.5, 0.75}, 0.08
	// E|R e₁ + σε| by a 2-D midpoint rule over ε ∈ [−8, 8]².
	meanRadius := func(R float64) float64 {
		const m = 800
		h := 16.0 / m
		var s float64
		for i := 0; i < m; i++ {
			a := -8 + (float64(i)+0.5)*h
			for j := 0; j < m; j++ {
				b := -8 + (float64(j)+0.5)*h
				s += math.Hypot(R+sigma*a, sigma*b) * math.Exp(-(a*a+b*b)/2)
			}
		}
		return s * h * h / (2 * math.Pi)
	}
	pts := sample(t, "rings", 400000, 11)
	n := float64(len(pts) / 2)
	var sum, sum2 float64
	bands := make([]int, len(radii))
	for i := 0; i < len(pts); i += 2 {
		r := math.Hypot(pts[i], pts[i+1])
		sum += r
		sum2 += r * r
		for k, R := range radii {
			if math.Abs(r-R) < 0.375 { // half the ring spacing, 4.7σ
				bands[k]++
			}
		}
	}
	var want float64
	for _, R := range radii {
		want += meanRadius(R) / float64(len(radii))
	}
	mean := sum / n
	se := math.Sqrt((sum2/n - mean*mean) / n)
	if math.Abs(mean-want) > 5*se {
		t.Errorf("mean radius %.5f, want %.5f (±%.2g)", mean, want, se)
	}
	for k, c := range bands {
		if math.Abs(float64(c)-n/4) > 5*math.Sqrt(n*3/16) {
			t.Errorf("ring %v holds %d points, expected %.0f", radii[k], c, n/4)
		}
	}
}

func TestCheckerboardSupport(t *testing.T) {
	pts := sample(t, "checkerboard", 400000, 13)
	// 32×32 bins of side 1/4: the 512 bins in even cells share the mass
	// uniformly, the others are empty.
	var counts [32][32]int
	for i := 0; i < len(pts); i += 2 {
		x, y := pts[i], pts[i+1]
		if !(x >= -4 && x < 4 && y >= -4 && y < 4) {
			t.Fatalf("point (%v, %v) outside [−4, 4)²", x, y)
		}
		if (int(math.Floor(x/2))+int(math.Floor(y/2)))%2 != 0 {
			t.Fatalf("point (%v, %v) in an odd cell", x, y)
		}
		counts[int((x+4)*4)][int((y+4)*4)]++
	}
	n := float64(len(pts) / 2)
	e := n / 512
	var chi2 float64
	var cells [8]int
	for i := range counts {
		for j := range counts[i] {
			if (i/8+j/8)%2 != 0 {
				continue
			}
			d := float64(counts[i][j]) - e
			chi2 += d * d / e
		}
	}
	// χ² with 511 degrees of freedom: mean 511, sd 32.
	if chi2 > 511+6*32 {
		t.Errorf("within-cell uniformity: χ² = %.0f for 511 d.o.f.", chi2)
	}
	for i := 0; i < len(pts); i += 2 {
		cx, cy := int(math.Floor(pts[i]/2))+2, int(math.Floor(pts[i+1]/2))+2
		cells[cx*2+cy/2]++ // (cx + cy) even: cy/2 tells the two cells of a column apart
	}
	for k, c := range cells {
		if math.Abs(float64(c)-n/8) > 5*math.Sqrt(n*7/64) {
			t.Errorf("cell %d holds %d points, expected %.0f", k, c, n/8)
		}
	}
}

func TestPinwheelArms(t *testing.T) {
	pts := sample(t, "pinwheel", 200000, 17)
	// x/2 = (r + is)e^(−ia) with a = 2πk/5 + 0.25 e^r, so with r̂ = |x|/2 ≈ r
	// the base angle −arg x − 0.25 e^r̂ lies within arctan(s/r) of 2πk/5.
	const arm = 2 * math.Pi / 5
	var counts [5]int
	var close int
	for i := 0; i < len(pts); i += 2 {
		b := -math.Atan2(pts[i+1], pts[i]) - 0.25*math.Exp(math.Hypot(pts[i], pts[i+1])/2)
		k := math.Round(b / arm)
		d := b - k*arm
		counts[((int(k)%5)+5)%5]++
		if math.Abs(d) < 0.3 {
			close++
		}
	}
	n := float64(len(pts) / 2)
	if float64(close) < 0.97*n {
		t.Errorf("only %.1f%% of the points lie within 0.3 rad of one of 5 arms", 100*float64(close)/n)
	}
	for k, c := range counts {
		if math.Abs(float64(c)-n/5) > 5*math.Sqrt(n*0.16) {
			t.Errorf("arm %d holds %d points, expected %.0f", k, c, n/5)
		}
	}
}

func TestSpiralsSymmetry(t *testing.T) {
	pts := sample(t, "2spirals", 400000, 19)
	n := float64(len(pts) / 2)
	// Odd moments vanish under x ↦ −x.
	odd := []func(x, y float64) float64{
		func(x, _ float64) float64 { return x },
		func(_, y float64) float64 { return y },
		func(x, _ float64) float64 { return x * x * x },
		func(_, y float64) float64 { return y * y * y },
		func(x, y float64) float64 { return x * x * y },
		func(x, y float64) float64 { return x * y * y },
	}
	for k, f := range odd {
		var s, s2 float64
		for i := 0; i < len(pts); i += 2 {
			v := f(pts[i], pts[i+1])
			s += v
			s2 += v * v
		}
		m := s / n
		if se := math.Sqrt((s2/n - m*m) / n); math.Abs(m) > 5*se {
			t.Errorf("odd moment %d = %.4f (±%.2g), want 0", k, m, se)
		}
	}
	// Two-sample test of x against −x: a bin and its mirror image hold
	// equally many points.
	const m = 40
	b := mustToy(t, "2spirals").Bounds().Square()
	h := (b.Max[0] - b.Min[0]) / m
	var counts [m][m]int
	for i := 0; i < len(pts); i += 2 {
		counts[int((pts[i]-b.Min[0])/h)][int((pts[i+1]-b.Min[1])/h)]++
	}
	var chi2 float64
	var dof int
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			a, r := counts[i][j], counts[m-1-i][m-1-j]
			if i*m+j >= (m-1-i)*m+(m-1-j) || a+r < 10 {
				continue // each pair once
			}
			d := float64(a - r)
			chi2 += d * d / float64(a+r)
			dof++
		}
	}
	if lim := float64(dof) + 6*math.Sqrt(2*float64(dof)); chi2 > lim {
		t.Errorf("mirror χ² = %.0f for %d pairs (limit %.0f)", chi2, dof, lim)
	}
	if dof < 100 {
		t.Errorf("only %d bin pairs", dof)
	}
}

func TestMoonsAffine(t *testing.T) {
	const n = 1000
	raw, moon := sample(t, "moons-raw", n, 23), sample(t, "moons", n, 23)
	for i := 0; i < n; i++ {
		if moon[2*i] != 2*raw[2*i]-1 || moon[2*i+1] != 2*raw[2*i+1]-0.2 {
			t.Fatalf("point %d: moons (%v, %v), 2·raw + (−1, −0.2) = (%v, %v)",
				i, moon[2*i], moon[2*i+1], 2*raw[2*i]-1, 2*raw[2*i+1]-0.2)
		}
	}
}

func BenchmarkToySample32(b *testing.B) {
	buf := make([]float32, 400)
	rng := newRand(1)
	for _, name := range Toys() {
		toy := mustToy(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				toy.Sample32(rng, buf, 200)
			}
		})
	}
}
