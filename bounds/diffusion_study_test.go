package bounds

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/nn"
)

// TestDiffusionStudy measures the error of the diffusion bound on the SPEC
// §8 closed-form cases for several settings: the quadrature error of each
// rule (closed-form integrand at its nodes) and the total error of the
// estimate, with its standard error, at B = 10000 chains. It takes a few
// minutes and runs only with BOUNDS_STUDY=1:
//
//	BOUNDS_STUDY=1 go test ./bounds -run TestDiffusionStudy -v -timeout 30m
//
// The package documentation quotes its numbers.
func TestDiffusionStudy(t *testing.T) {
	if os.Getenv("BOUNDS_STUDY") == "" {
		t.Skip("set BOUNDS_STUDY=1 to run the convergence study")
	}
	cases := []closedCase{oneDimCase(-0.9), oneDimCase(-0.5), oneDimCase(1), oneDimCase(3),
		randomCase(2, 12), randomCase(2, 112), randomCase(5, 15), randomCase(5, 115)}

	// Quadrature error of the rules, in %.
	for _, c := range cases {
		ex := c.gc.exact()
		var b strings.Builder
		for _, rule := range []string{"gauss-legendre", "trapezoid"} {
			fmt.Fprintf(&b, " %s:", rule)
			for _, n := range []int{3, 4, 5, 6, 8, 9, 17, 33} {
				nodes, wts, _ := quadrature(rule, n)
				fmt.Fprintf(&b, " %d %+.2f", n, 100*(ruleValue(ex, nodes, wts)/ex.Ud-1))
			}
		}
		t.Logf("quadrature %-11s%s", c.name, b.String())
	}

	settings := []struct {
		name string
		cfg  DiffusionConfig
	}{
		{"train default ula 5x10 h=.05", DiffusionConfig{}},
		{"mala 5x10 fixed h=.05", DiffusionConfig{MALA: true, TargetAcceptance: -1}},
		{"mala 5x10 adapted", DiffusionConfig{MALA: true}},
		{"eval 9x20 mala fixed h=.05", DiffusionConfig{Nodes: 9, StepsPerNode: 20, MALA: true, TargetAcceptance: -1}},
		{"eval 9x20 mala adapted", DiffusionConfig{Nodes: 9, StepsPerNode: 20, MALA: true}},
		{"gl6x20 mala fixed h=.05", DiffusionConfig{Nodes: 6, Rule: "gauss-legendre", StepsPerNode: 20, MALA: true, TargetAcceptance: -1}},
		{"gl4x10 mala adapted", DiffusionConfig{Nodes: 4, Rule: "gauss-legendre", MALA: true}},
	}
	for _, steps := range []int{5, 10, 20, 40} {
		settings = append(settings, struct {
			name string
			cfg  DiffusionConfig
		}{fmt.Sprintf("gl8x%d mala adapted", steps), DiffusionConfig{Nodes: 8, Rule: "gauss-legendre", StepsPerNode: steps, MALA: true}})
	}
	const B = 10000
	for _, st := range settings {
		var b strings.Builder
		var total time.Duration
		for _, c := range cases {
			ex := c.gc.exact()
			rng := nn.NewRNG(80)
			z := normals(rng.Stream("z"), B*c.gc.D)
			df := must(NewDiffusion(c.gc.nets(t), st.cfg, B, rng.Stream("diff")))
			start := time.Now()
			u, _, err := df.Gap(z, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			total += time.Since(start)
			fmt.Fprintf(&b, " | %+5.1f ±%.1f", 100*(u.Value/ex.Ud-1), 100*u.StdErr/ex.Ud)
		}
		t.Logf("%-28s (error %% ± SE %%, cases %s)%s | %v", st.name, caseNames(cases), b.String(), total.Round(time.Millisecond))
	}
}

func caseNames(cs []closedCase) string {
	n := make([]string, len(cs))
	for i, c := range cs {
		n[i] = c.name
	}
	return strings.Join(n, ", ")
}
