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
//	suite       the toy suite: every set × pairing × seed trained and evaluated into RESULTS.md
//	train       train an EBM with bidirectional bounds (no flags: a built-in default run)
//	version     version and SIMD tier
//
// Exit status (retry policies can key on it):
//
//	0   done
//	1   failure at run time; what was written is consistent and resumable
//	2   bad input or configuration; nothing was written (do not retry)
//	75  interrupted (SIGINT, SIGTERM, SIGHUP, SIGUSR1) after a checkpoint;
//	    run the same command again, or train --resume, to continue
//
// Every error is one line on standard error naming the input.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/trainer"
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
	"suite":    {"train and evaluate the toy suite: RESULTS.md and a picture grid", runSuite},
	"train":    {"train an EBM with bidirectional bounds (no flags: the built-in default run)", runTrain},
	"version":  {"print the version and SIMD tier", runVersion},
}

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitBadInput    = 2
	exitInterrupted = 75 // sysexits' EX_TEMPFAIL: retry later
)

// errUsage marks errors caused by the user's input (exit status 2); a
// command stopped by a signal after it saved its work returns an error
// wrapping trainer.ErrInterrupted (exit status 75).
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if err := asm.EnvError(); err != nil {
		fmt.Fprintln(stderr, "ebmcpu:", err)
		return exitBadInput
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ebmcpu: unknown command %q (want one of: %s)\n", args[0], strings.Join(commandNames(), ", "))
		return exitBadInput
	}
	err := cmd.run(args[1:], stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	}
	fmt.Fprintln(stderr, "ebmcpu "+args[0]+":", strings.TrimPrefix(err.Error(), "usage: "))
	switch {
	case errors.Is(err, errUsage):
		return exitBadInput
	case errors.Is(err, trainer.ErrInterrupted):
		return exitInterrupted
	}
	return exitFailure
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

// usageError wraps a bad-input message so run exits with status 2.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ebmcpu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning flag errors into usage errors. The flag
// package would print its error and the whole flag list; a bad flag gets
// one line instead (from run), and only -h prints the list.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return err
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
