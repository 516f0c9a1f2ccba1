//go:build !amd64 || noasm

package asm

// asmPeakLoops is empty without assembly: every tier uses the Go loops.
var asmPeakLoops [numTiers][2]peakLoop
