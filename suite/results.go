package suite

import (
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/internal/buildinfo"
)

// ResultsFile is the suite's report.
const ResultsFile = "RESULTS.md"

// GitCommit is the commit the running binary was built from (its build
// information's vcs.revision), or for a binary built without one (go run,
// tests) `git rev-parse HEAD` in the working directory; marked when the
// tree had uncommitted changes; "unknown" without either.
func GitCommit() string {
	if b := buildinfo.Read(); b.Commit != "" {
		if b.Modified {
			return b.Commit + " with uncommitted changes"
		}
		return b.Commit
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	commit := strings.TrimSpace(string(out))
	if err != nil || commit == "" {
		return "unknown"
	}
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		commit += " with uncommitted changes"
	}
	return commit
}

// WriteResults writes c.Out/RESULTS.md (an image sweep: IMAGES.md)
// atomically from the records (nil records, of runs that did not finish,
// are left out).
func WriteResults(c Config, recs []*Record, commit string, date time.Time) error {
	return atomicfile.Write(filepath.Join(c.Out, c.ResultsName()), 0o644, func(w io.Writer) error {
		if c.Images {
			return writeImageResults(w, c, recs, commit, date)
		}
		return writeResults(w, c, recs, commit, date)
	})
}

// group returns the records of one set and pairing.
func group(recs []*Record, set, pairing string) []*Record {
	var g []*Record
	for _, r := range recs {
		if r != nil && r.Set == set && r.Pairing == pairing {
			g = append(g, r)
		}
	}
	return g
}

// okReports returns the values of f over the evaluated records, NaN for the
// others (diverged or failed runs, or where f has no value).
func values(g []*Record, f func(r *Record) float64) []float64 {
	v := make([]float64, len(g))
	for i, r := range g {
		v[i] = math.NaN()
		if r.Status == "ok" && r.Report != nil {
			v[i] = f(r)
		}
	}
	return v
}

func klGap(r *Record) float64 {
	if kl := r.Report.Test.KLGap; kl != nil {
		return float64(kl.Value)
	}
	return math.NaN()
}

func testNLL(r *Record) float64 { return float64(r.Report.Test.NLL.Value) }

func modesCovered(r *Record) float64 {
	if m := r.Report.Generator.Modes; m != nil {
		return float64(m.Covered)
	}
	return math.NaN()
}

func modesK(g []*Record) int {
	for _, r := range g {
		if r.Status == "ok" && r.Report != nil && r.Report.Generator.Modes != nil {
			return r.Report.Generator.Modes.K
		}
	}
	return 0
}

// bracketValue is the log Z of the trained bound on side ("lower" or
// "upper"), NaN if the model has none.
func bracketValue(r *Record, side string) float64 {
	for _, b := range r.Report.Bracket {
		if b.Side == side && b.Trained && b.Error == "" {
			return float64(b.LogZ.Value)
		}
	}
	return math.NaN()
}

func writeResults(w io.Writer, c Config, recs []*Record, commit string, date time.Time) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	title := "Toy suite results"
	if hasVariant(c.Pairings) {
		title = "Ablation of the 2-D quality defaults"
	}
	writeHeader(p, title, c, commit, date)
	p("")
	p("Every run: `ebm.DefaultConfig()` with the set, pairing and seed (seeds 1–%d); %d runs at a time, one linalg worker each.", c.Seeds, c.Parallel)
	p("Iterations per pairing:")
	for _, pr := range c.Pairings {
		p("- %s: %d", pr, c.StepsFor(pr))
	}
	if c.Steps == 0 {
		p("")
		p("The diffusion pairings cost about 7× more per iteration (5 nodes × 10 Langevin steps), so they run %d iterations instead of %d, with the default diffusion settings, to fit the suite in about 80 minutes on 2 cores: they are less trained than the other pairings.", DefaultDiffusionSteps, DefaultSteps)
	}
	p("")
	p("Entries are mean ± standard deviation over seeds. KL gap = test NLL − H(data) ≈ KL(data ‖ model), in nats;")
	p("NLL is the test negative log-likelihood with the exact log Z (grid quadrature); MMD² compares generator samples with held-out data;")
	p("modes covered and %% high quality (samples within 3σ of a centre) are measured on generator samples (Gaussian mixtures only);")
	p("divergences counts the guard's rollbacks (a run that used them all up is \"diverged\" and has no evaluation);")
	p("time is the training wall time in seconds. (k/n) means only k of n runs gave a value.")
	writeVariants(p, c.Pairings)
	p("")
	p("The rows in italics are simple estimators on the same data and test points (package reference): a Gaussian KDE with its bandwidth h and a Gaussian mixture with its K components chosen by held-out likelihood, fitted to %d fresh samples.", ReferenceTrain)

	for _, set := range c.Sets {
		p("")
		p("## %s", set)
		p("")
		p("| pairing | KL gap | NLL | MMD² | modes | %% HQ | divergences | time (s) |")
		p("|---|---|---|---|---|---|---|---|")
		for _, pr := range c.Pairings {
			g := group(recs, set, pr)
			if len(g) == 0 {
				p("| %s | not run | | | | | | |", pr)
				continue
			}
			modes := "—"
			if k := modesK(g); k > 0 {
				modes = cell(values(g, modesCovered), 1) + fmt.Sprintf(" / %d", k)
			}
			hq := cell(values(g, func(r *Record) float64 {
				if m := r.Report.Generator.Modes; m != nil {
					return 100 * float64(m.HighQuality)
				}
				return math.NaN()
			}), 1)
			div, time := make([]float64, len(g)), make([]float64, len(g))
			ndiv, nerr := 0, 0
			for i, r := range g {
				div[i], time[i] = float64(r.Rollbacks), r.TrainSec
				switch r.Status {
				case "diverged":
					ndiv++
				case "error":
					nerr++
					div[i], time[i] = math.NaN(), math.NaN()
				}
			}
			divs := cell(div, 1)
			if ndiv > 0 {
				divs += fmt.Sprintf(", %d diverged", ndiv)
			}
			if nerr > 0 {
				divs += fmt.Sprintf(", %d failed", nerr)
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s |", pr,
				cell(values(g, klGap), 3),
				cell(values(g, testNLL), 3),
				cell(values(g, func(r *Record) float64 { return float64(r.Report.Generator.MMD2) }), 4),
				modes, hq, divs, cell(time, 0))
		}
		if ref := storedReference(c, set); ref != nil {
			for _, e := range []struct {
				name  string
				score RefScore
			}{{"KDE", ref.KDE}, {"GMM", ref.GMM}} {
				kl := "—"
				if e.score.KLGap != nil {
					kl = fmt.Sprintf("%.3f", float64(e.score.KLGap.Value))
				}
				p("| *%s (%s)* | %s | %.3f | — | — | — | — | — |", e.name, e.score.Param, kl, float64(e.score.NLL.Value))
			}
		}
	}

	p("")
	p("## The bracket")
	p("")
	p("log Z of the trained lower bound, the exact log Z (grid quadrature) and the trained upper bound, on the evaluation latents (nats, mean ± std over seeds); a sound bracket has lower ≤ exact ≤ upper. Width is upper − lower. Certified says which sides are certified bounds for these networks (`ebm.Certify`; each run's eval.json says why): a side that is not certified is an estimate, not a bound.")
	p("")
	p("| set | pairing | lower | exact | upper | width | certified |")
	p("|---|---|---|---|---|---|---|")
	for _, set := range c.Sets {
		for _, pr := range c.Pairings {
			g := group(recs, set, pr)
			if len(g) == 0 {
				continue
			}
			p("| %s | %s | %s | %s | %s | %s | %s |", set, pr,
				cell(values(g, func(r *Record) float64 { return bracketValue(r, "lower") }), 3),
				cell(values(g, func(r *Record) float64 { return float64(r.Report.LogZ.Value) }), 3),
				cell(values(g, func(r *Record) float64 { return bracketValue(r, "upper") }), 3),
				cell(values(g, func(r *Record) float64 { return bracketValue(r, "upper") - bracketValue(r, "lower") }), 3),
				certified(g))
		}
	}
	p("")
	if v := violations(recs); len(v) > 0 {
		p("Bounds on the wrong side of the reference by more than their tolerance (3 standard errors, plus the grid's refinement change), as `eval` flagged them; each run's eval.json names the assumption that may fail: %s.", strings.Join(v, "; "))
	} else {
		p("No evaluation flagged a bound on the wrong side of the reference.")
	}

	p("")
	p("## Goals of the default pairing (sv+gp)")
	p("")
	for _, gl := range goals(c, recs) {
		p("- %s", gl)
	}

	p("")
	p("## Every run")
	p("")
	p("| run | status | iterations | KL gap ± SE | NLL ± SE | MMD² | modes | rollbacks | train (s) | eval (s) |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range recs {
		if r == nil {
			continue
		}
		name := Spec{r.Set, r.Pairing, r.Seed}.Name()
		if r.Status != "ok" || r.Report == nil {
			p("| %s | %s | %d | | | | | %d | %.0f | |", name, statusText(r), r.Steps, r.Rollbacks, r.TrainSec)
			continue
		}
		kl := "—"
		if e := r.Report.Test.KLGap; e != nil {
			kl = fmt.Sprintf("%.3f ± %.3f", float64(e.Value), float64(e.StdErr))
		}
		modes := "—"
		if m := r.Report.Generator.Modes; m != nil {
			modes = fmt.Sprintf("%d/%d, %.1f%% HQ", m.Covered, m.K, 100*float64(m.HighQuality))
		}
		p("| %s | ok | %d | %s | %.3f ± %.3f | %.4f | %s | %d | %.0f | %.1f |", name, r.Steps, kl,
			float64(r.Report.Test.NLL.Value), float64(r.Report.Test.NLL.StdErr), float64(r.Report.Generator.MMD2), modes,
			r.Rollbacks, r.TrainSec, r.EvalSec)
	}
	p("")
	p("Pictures: `grid.png` (one evaluation panel per set × pairing, seed 1: rows are sets, columns pairings); each run's panel is `runs/<set>-<pairing>-s<seed>/eval.png`, its report `eval.json`.")
	_, err := io.WriteString(w, b.String())
	return err
}

// certified names the certified sides of a group's bracket (the same for
// every seed: certification depends on the configuration only).
func certified(g []*Record) string {
	for _, r := range g {
		if r.Status != "ok" || r.Report == nil {
			continue
		}
		switch c := r.Report.Certification; {
		case c.Lower && c.Upper:
			return "both"
		case c.Lower:
			return "lower only"
		case c.Upper:
			return "upper only"
		default:
			return "neither"
		}
	}
	return "—"
}

// writeHeader writes a report's title and where it comes from: the
// command, the commit, the date and the machine.
func writeHeader(p func(string, ...any), title string, c Config, commit string, date time.Time) {
	p("# %s", title)
	p("")
	p("Produced by `%s` at commit `%s` on %s, %s (%s, %s tier, %d cores).", c.Command, commit,
		date.UTC().Format("2006-01-02 15:04 MST"), cpuid.CPU.BrandName, runtime.GOARCH, asm.Tier(), runtime.NumCPU())
	if c.Note != "" {
		p("")
		p("Note: %s.", c.Note)
	}
}

func statusText(r *Record) string {
	if r.Status == "error" {
		return "failed: " + strings.ReplaceAll(r.Error, "|", "/")
	}
	return r.Status
}

// goals states, for the sv+gp pairing, which of issue 14's goals hold.
func goals(c Config, recs []*Record) []string {
	const def, base = "sv+gp", "sv+none"
	var out []string
	verdict := func(goal string, measured, holds bool, detail string) {
		switch {
		case !measured:
			out = append(out, fmt.Sprintf("%s: **not measured** (%s)", goal, detail))
		case holds:
			out = append(out, fmt.Sprintf("%s: **holds** (%s)", goal, detail))
		default:
			out = append(out, fmt.Sprintf("%s: **does not hold** (%s)", goal, detail))
		}
	}
	var all []*Record
	for _, set := range c.Sets {
		all = append(all, group(recs, set, def)...)
	}

	// No divergence.
	var bad []string
	for _, r := range all {
		if r.Status == "diverged" || r.Rollbacks > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d rollbacks, %s", Spec{r.Set, r.Pairing, r.Seed}.Name(), r.Rollbacks, r.Status))
		}
	}
	detail := fmt.Sprintf("%d runs", len(all))
	if len(bad) > 0 {
		detail = strings.Join(bad, "; ")
	}
	verdict("No divergence in any run", len(all) > 0, len(bad) == 0, detail)

	// Every mode covered, with ≥ 90 % of the samples within 3σ of a centre,
	// on the mixtures.
	bad, n := nil, 0
	for _, r := range all {
		if r.Status != "ok" || r.Report == nil {
			if modesK(group(recs, r.Set, def)) > 0 {
				bad = append(bad, fmt.Sprintf("%s: %s", Spec{r.Set, r.Pairing, r.Seed}.Name(), r.Status))
			}
			continue
		}
		if m := r.Report.Generator.Modes; m != nil {
			n++
			if m.Covered < m.K || !(m.HighQuality >= 0.9) {
				bad = append(bad, fmt.Sprintf("%s: %d/%d, %.1f%% HQ", Spec{r.Set, r.Pairing, r.Seed}.Name(), m.Covered, m.K, 100*float64(m.HighQuality)))
			}
		}
	}
	detail = fmt.Sprintf("%d mixture runs", n)
	if len(bad) > 0 {
		detail = strings.Join(bad, "; ")
	}
	verdict("Every mode covered and ≥ 90 % high-quality samples on the Gaussian mixtures (every run)", n > 0, len(bad) == 0, detail)

	// perSet states a goal checked set by set: the measured parts, and the
	// sets that miss it.
	perSet := func(goal, measured string, parts []string, missed string, bad []string, none string) {
		detail := measured + strings.Join(parts, ", ")
		if len(bad) > 0 {
			detail += "; " + missed + " " + strings.Join(bad, ", ")
		}
		if len(parts) == 0 {
			detail = none
		}
		verdict(goal, len(parts) > 0, len(bad) == 0, detail)
	}

	// Mean KL gap ≤ 0.10 nats on every set with a closed-form density, and
	// mean test NLL within 0.10 nats of the KDE's on every set (issue 14).
	var parts, kdeParts, kdeBad []string
	bad = nil
	for _, set := range c.Sets {
		g := group(recs, set, def)
		if len(g) == 0 {
			continue
		}
		if kl, _, k := meanStd(values(g, klGap)); k > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", set, fmtNum(kl)))
			if !(kl <= 0.10) {
				bad = append(bad, set)
			}
		}
		if ref := storedReference(c, set); ref != nil {
			nll, _, k := meanStd(values(g, testNLL))
			if k == 0 {
				continue
			}
			d := nll - float64(ref.KDE.NLL.Value)
			kdeParts = append(kdeParts, fmt.Sprintf("%s %+.3f", set, d))
			if !(d <= 0.10) {
				kdeBad = append(kdeBad, set)
			}
		}
	}
	perSet("Mean KL gap ≤ 0.10 nats on every set with a closed-form density", "mean KL gap: ", parts,
		"above 0.10 on", bad, "no set with a closed-form density in the suite")
	perSet("Mean test NLL within 0.10 nats of the KDE on every set", "mean test NLL minus the KDE's: ", kdeParts,
		"more than 0.10 on", kdeBad, "no KDE fitted in the suite directory")

	// Better than the baseline on every set: a lower mean test NLL, which
	// is a lower KL gap (the data entropy is common to both) and is defined
	// on the sets without a closed-form density too. A baseline set whose
	// runs all diverged counts as beaten.
	bad, parts = nil, nil
	for _, set := range c.Sets {
		gd, gb := group(recs, set, def), group(recs, set, base)
		if len(gd) == 0 || len(gb) == 0 {
			continue
		}
		md, _, nd := meanStd(values(gd, testNLL))
		mb, _, nb := meanStd(values(gb, testNLL))
		parts = append(parts, fmt.Sprintf("%s %s vs %s", set, fmtNum(md), fmtNum(mb)))
		if nd == 0 || (nb > 0 && !(md < mb)) {
			bad = append(bad, set)
		}
	}
	perSet("Better than the sv+none baseline (lower mean test NLL, i.e. KL gap) on every set", "mean test NLL sv+gp vs sv+none: ", parts,
		"not better on", bad, "needs both sv+gp and sv+none")
	if n := len(parts); n > 0 && n < len(DefaultSets()) {
		out = append(out, fmt.Sprintf("(measured on %d of the %d sets of the full suite)", n, len(DefaultSets())))
	}
	return out
}

// violations lists the bracket violations of the evaluated runs, one
// "run: side bound (excess)" entry each.
func violations(recs []*Record) []string {
	var out []string
	for _, r := range recs {
		if r == nil || r.Report == nil {
			continue
		}
		for _, v := range r.Report.Violations {
			out = append(out, fmt.Sprintf("%s: %s %s by %.3f", Spec{r.Set, r.Pairing, r.Seed}.Name(), v.Side, v.Bound, float64(v.Excess)))
		}
	}
	return out
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.3f", v)
}
