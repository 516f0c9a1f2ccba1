package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"github.com/ebmcpu/ebmcpu/internal/buildinfo"
	"github.com/klauspost/cpuid/v2"
)

func runVersion(args []string, stdout, stderr io.Writer) error {
	if err := cli.ParseFlags(cli.NewFlags("ebmcpu version", stderr), args); err != nil {
		return err
	}
	b := buildinfo.Read()
	version := "devel"
	if b.Version != "" {
		version = b.Version
	}
	if b.Commit != "" {
		version += " " + b.Commit
	}
	fmt.Fprintf(stdout, "ebmcpu %s\n%s %s/%s\nCPU: %s\nSIMD tier: %s (best available: %s; set %s to force)\n",
		version, runtime.Version(), runtime.GOOS, runtime.GOARCH, cpuid.CPU.BrandName, asm.Tier(), asm.BestTier(), asm.EnvVar)
	return nil
}
