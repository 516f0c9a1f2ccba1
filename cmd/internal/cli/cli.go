// Package cli holds what the ebmcpu commands share: flag sets that report
// errors instead of exiting, and the exit statuses.
//
// Exit status (retry policies can key on it):
//
//	0   done
//	1   failure at run time; what was written is consistent and resumable
//	2   bad input or configuration; nothing was written (do not retry)
//	75  interrupted (SIGINT, SIGTERM, SIGHUP, SIGUSR1) after the work was
//	    saved; run the same command again, or train --resume, to continue
//
// Every error is one line on standard error naming the input.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit statuses.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitBadInput    = 2
	ExitInterrupted = 75 // sysexits' EX_TEMPFAIL: retry later
)

// ErrUsage marks errors caused by the user's input (exit status 2).
var ErrUsage = errors.New("usage")

// Usage returns a bad-input error with the message of format.
func Usage(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
}

// Interrupted marks err as a command stopped by a signal after it saved
// its work (exit status 75); the message is err's.
func Interrupted(err error) error { return interrupted{err} }

type interrupted struct{ error }

func (e interrupted) Unwrap() error { return e.error }

// ExitStatus maps a command's error to its exit status.
func ExitStatus(err error) int {
	var in interrupted
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &in):
		return ExitInterrupted
	case errors.Is(err, ErrUsage):
		return ExitBadInput
	}
	return ExitFailure
}

// Message is the one line printed for err by the command name.
func Message(name string, err error) string {
	msg := err.Error()
	if errors.Is(err, ErrUsage) {
		msg = msg[len(ErrUsage.Error())+2:]
	}
	return name + ": " + msg
}

// NewFlags returns a FlagSet that reports errors instead of exiting.
func NewFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// ParseFlags parses args, turning flag errors into usage errors. The flag
// package would print its error and the whole flag list; a bad flag gets
// one line instead, and only -h prints the list.
func ParseFlags(fs *flag.FlagSet, args []string) error {
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
		return Usage("%v", err)
	}
	if fs.NArg() > 0 {
		return Usage("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
