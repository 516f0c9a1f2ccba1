// Package sysmem reports the machine's physical memory, for the default
// memory limit of the commands (a run refuses settings whose estimated
// footprint exceeds it, before allocating anything).
package sysmem

// fallback is assumed where the platform does not say.
const fallback = 4 << 30

// Physical returns the physical memory in bytes (4 GiB where the platform
// cannot tell).
func Physical() uint64 {
	if n := physical(); n > 0 {
		return n
	}
	return fallback
}
