// Command ebmcpu-serve is `ebmcpu serve` on its own: the Open Inference
// Protocol (KServe v2) server for trained models, in a binary that links no
// plotting, image or font code (for containers and services). Its flags are
// those of `ebmcpu serve`; its exit statuses those of ebmcpu.
package main

import (
	"fmt"
	"os"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"github.com/ebmcpu/ebmcpu/cmd/internal/servecmd"
)

func main() {
	if err := asm.EnvError(); err != nil {
		fmt.Fprintln(os.Stderr, "ebmcpu-serve:", err)
		os.Exit(cli.ExitBadInput)
	}
	err := servecmd.Run(os.Args[1:], os.Stdout, os.Stderr)
	status := cli.ExitStatus(err)
	if status != cli.ExitOK {
		fmt.Fprintln(os.Stderr, cli.Message("ebmcpu-serve", err))
	}
	os.Exit(status)
}
