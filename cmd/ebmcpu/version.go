package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"github.com/klauspost/cpuid/v2"
)

func runVersion(args []string, stdout, stderr io.Writer) error {
	if err := cli.ParseFlags(cli.NewFlags("ebmcpu version", stderr), args); err != nil {
		return err
	}
	version := "devel"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" && info.Main.Version != "(devel)" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				version += " " + s.Value
			}
		}
	}
	fmt.Fprintf(stdout, "ebmcpu %s\n%s %s/%s\nCPU: %s\nSIMD tier: %s (best available: %s; set %s to force)\n",
		version, runtime.Version(), runtime.GOOS, runtime.GOARCH, cpuid.CPU.BrandName, asm.Tier(), asm.BestTier(), asm.EnvVar)
	return nil
}
