// Command ebmcpu trains and evaluates energy-based models on the CPU.
package main

import (
	"fmt"
	"os"

	"github.com/ebmcpu/ebmcpu/asm"
)

func main() {
	if err := asm.EnvError(); err != nil {
		fmt.Fprintln(os.Stderr, "ebmcpu:", err)
		os.Exit(2)
	}
	fmt.Println("ebmcpu: SIMD tier", asm.Tier())
}
