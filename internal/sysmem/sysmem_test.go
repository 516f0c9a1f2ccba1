package sysmem

import "testing"

func TestPhysical(t *testing.T) {
	// Every machine this runs on has between 256 MiB and 64 TiB.
	if n := Physical(); n < 256<<20 || n > 64<<40 {
		t.Fatalf("physical memory %d bytes is implausible", n)
	}
}
