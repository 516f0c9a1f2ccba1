// Command ebmcpu trains and evaluates energy-based models on the CPU.
//
// Usage:
//
//	ebmcpu <command> [flags]
//
// Commands:
//
//	bench gemm  GEMM throughput: ours, gonum (and OpenBLAS with -tags openblas)
//	datasets    the built-in data sets and their definitions
//	eval        evaluate a trained model: exact 2-D log Z or AIS, test NLL, the bracket, samples (JSON + PNG)
//	sample      generator samples, optionally refined by Langevin dynamics on the EBM (CSV)
//	serve       serve models over the Open Inference Protocol (KServe v2 REST)
//	suite       the toy suite: every set × pairing × seed trained and evaluated into RESULTS.md
//	train       train an EBM with bidirectional bounds (no flags: a built-in default run)
//	version     version and SIMD tier
//
// Exit status: 0 done, 1 failure at run time (what was written is
// consistent and resumable), 2 bad input (nothing written), 75 interrupted
// after saving (resume or rerun); see package cmd/internal/cli.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"github.com/ebmcpu/ebmcpu/cmd/internal/servecmd"
)

// A command is one ebmcpu subcommand.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"bench":    {"measure kernels side by side (bench gemm)", runBench},
	"datasets": {"list the built-in data sets and their definitions", runDatasets},
	"eval":     {"evaluate a model: log Z, test NLL, the bracket of bounds, samples (JSON + PNG)", runEval},
	"sample":   {"draw generator samples, optionally Langevin-refined, as CSV", runSample},
	"serve":    {"serve models over the Open Inference Protocol (KServe v2): energies, log-density bounds, outliers", servecmd.Run},
	"suite":    {"train and evaluate the toy suite: RESULTS.md and a picture grid", runSuite},
	"train":    {"train an EBM with bidirectional bounds (no flags: the built-in default run)", runTrain},
	"version":  {"print the version and SIMD tier", runVersion},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if err := asm.EnvError(); err != nil {
		fmt.Fprintln(stderr, "ebmcpu:", err)
		return cli.ExitBadInput
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return cli.ExitBadInput
		}
		return cli.ExitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ebmcpu: unknown command %q (want one of: %s)\n", args[0], strings.Join(commandNames(), ", "))
		return cli.ExitBadInput
	}
	err := cmd.run(args[1:], stdout, stderr)
	status := cli.ExitStatus(err)
	if status != cli.ExitOK {
		fmt.Fprintln(stderr, cli.Message("ebmcpu "+args[0], err))
	}
	return status
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ebmcpu <command> [flags]\n\ncommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
}
