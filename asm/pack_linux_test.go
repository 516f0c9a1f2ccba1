//go:build linux

package asm

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"unsafe"
)

// fenced returns at least n elements of T, whole pages of them, between two
// inaccessible pages, so that a kernel reading before the first or after the
// last element faults (and the test binary dies) instead of reading a
// neighbour's memory unnoticed.
func fenced[T Float](t *testing.T, n int) []T {
	t.Helper()
	page := syscall.Getpagesize()
	size := int(unsafe.Sizeof(T(0)))
	data := (n*size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, data+2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	if err := syscall.Mprotect(mem[page+data:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[page])), data/size)
}

// TestPackStaysInSrc gives the packing kernels sources as short as checkPack
// allows, (kc−1)·ld+n (runs) or (n−1)·ld+kc (interleave) elements, both
// ending right at a fence and starting right after one.
func TestPackStaysInSrc(t *testing.T) {
	const most = 40 * 40 // more than any need below
	s32, d64 := fenced[float32](t, most), fenced[float64](t, most)
	rng := rand.New(rand.NewPCG(5, 6))
	randomFill(rng, s32)
	randomFill(rng, d64)
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		for w := 1; w <= 32; w++ {
			for _, n := range []int{1, (w + 1) / 2, w} {
				for _, kc := range []int{1, 3, 7, 8, 9, 17, 33} {
					for _, pad := range []int{0, 3} {
						ldR, ldI := n+pad, kc+pad
						fencedPack(t, "SpackRuns", SpackRuns, spackRunsGeneric, s32, w, n, kc, ldR, (kc-1)*ldR+n)
						fencedPack(t, "SpackInterleave", SpackInterleave, spackInterleaveGeneric, s32, w, n, kc, ldI, (n-1)*ldI+kc)
						if w <= 16 {
							fencedPack(t, "DpackRuns", DpackRuns, dpackRunsGeneric, d64, w, n, kc, ldR, (kc-1)*ldR+n)
							fencedPack(t, "DpackInterleave", DpackInterleave, dpackInterleaveGeneric, d64, w, n, kc, ldI, (n-1)*ldI+kc)
						}
					}
				}
			}
		}
	})
}

// fencedPack runs kern on the first and on the last need elements of buf
// and compares with twin.
func fencedPack[T Float](t *testing.T, name string, kern, twin func([]T, int, []T, int, int, int, T), buf []T, w, n, kc, ld, need int) {
	t.Helper()
	for _, src := range [][]T{buf[:need:need], buf[len(buf)-need:]} {
		got, want := make([]T, kc*w), make([]T, kc*w)
		twin(want, w, src, ld, kc, n, -1.5)
		kern(got, w, src, ld, kc, n, -1.5)
		if !slices.Equal(got, want) {
			t.Fatalf("%s w=%d n=%d kc=%d ld=%d: got %v, want %v", name, w, n, kc, ld, got, want)
		}
	}
}
