package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/ebmcpu/ebmcpu/asm"
)

// RNG is the one seeded random source of a run. It hands out named,
// independent substreams ("data", "latents", "probes", "noise", "init/…"),
// each a ChaCha8 generator keyed by SHA-256 of the seed and the name, so a
// stream's values depend only on (seed, name, draws from that stream) and not
// on which other streams exist or in which order they are used.
//
// An RNG and its streams are not safe for concurrent use.
type RNG struct {
	seed    uint64
	streams map[string]*Stream
}

// NewRNG returns the random source for seed.
func NewRNG(seed uint64) *RNG { return &RNG{seed: seed, streams: map[string]*Stream{}} }

// Seed returns the seed the source was made with.
func (r *RNG) Seed() uint64 { return r.seed }

// Stream returns the substream called name, creating it on first use. Later
// calls with the same name return the same stream (with its position).
func (r *RNG) Stream(name string) *Stream {
	if s, ok := r.streams[name]; ok {
		return s
	}
	s := NewStream(r.seed, name)
	r.streams[name] = s
	return s
}

// A Stream is one substream: a math/rand/v2 Rand on a ChaCha8 source, plus
// vectorised fills (Normal, Uniform). Its state is serialisable.
type Stream struct {
	*rand.Rand
	src  *rand.ChaCha8
	name string
}

// NewStream returns the stream called name of the source seeded with seed;
// it equals NewRNG(seed).Stream(name) in a fresh state.
func NewStream(seed uint64, name string) *Stream {
	src := rand.NewChaCha8(streamKey(seed, name))
	return &Stream{Rand: rand.New(src), src: src, name: name}
}

func streamKey(seed uint64, name string) [32]byte {
	h := sha256.New()
	h.Write([]byte("ebmcpu/nn/rng/v1\x00"))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(name))
	var key [32]byte
	h.Sum(key[:0])
	return key
}

// Name returns the stream's name.
func (s *Stream) Name() string { return s.name }

// MarshalBinary returns the stream's position (its ChaCha8 state).
func (s *Stream) MarshalBinary() ([]byte, error) { return s.src.MarshalBinary() }

// UnmarshalBinary restores a position saved by MarshalBinary.
func (s *Stream) UnmarshalBinary(b []byte) error { return s.src.UnmarshalBinary(b) }

// unit53 returns a uniform float64 in [0, 1) with 53 random bits.
func (s *Stream) unit53() float64 { return float64(s.src.Uint64()>>11) * 0x1p-53 }

// Normal fills dst with independent standard normal values (Box–Muller on
// the stream's 53-bit uniforms). The values depend only on the stream state
// and len(dst): the method is deterministic across runs, thread counts and
// Go versions. An odd length discards the last pair's second value.
func Normal[T asm.Float](s *Stream, dst []T) {
	for i := 0; i < len(dst); i += 2 {
		// u1 ∈ (0, 1] keeps the logarithm finite.
		u1 := float64(s.src.Uint64()>>11+1) * 0x1p-53
		u2 := s.unit53()
		r := math.Sqrt(-2 * math.Log(u1))
		sn, cs := math.Sincos(2 * math.Pi * u2)
		dst[i] = T(r * cs)
		if i+1 < len(dst) {
			dst[i+1] = T(r * sn)
		}
	}
}

// Uniform fills dst with independent values uniform on [lo, hi).
func Uniform[T asm.Float](s *Stream, dst []T, lo, hi float64) {
	w := hi - lo
	for i := range dst {
		dst[i] = T(lo + w*s.unit53())
	}
}

const rngMagic = "ebmcpu-rng-v1"

// MarshalBinary returns the seed and the position of every stream created
// so far.
func (r *RNG) MarshalBinary() ([]byte, error) {
	names := make([]string, 0, len(r.streams))
	for n := range r.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	b := []byte(rngMagic)
	b = binary.LittleEndian.AppendUint64(b, r.seed)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		st, err := r.streams[n].MarshalBinary()
		if err != nil {
			return nil, err
		}
		b = appendBytes(b, []byte(n))
		b = appendBytes(b, st)
	}
	return b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary. Streams already
// handed out are updated in place, so pointers to them stay valid; streams
// the state does not mention restart from their beginning.
func (r *RNG) UnmarshalBinary(b []byte) error {
	rd := reader{b: b}
	if string(rd.take(len(rngMagic))) != rngMagic {
		return errors.New("nn: RNG state: bad magic")
	}
	seed := rd.u64()
	n := rd.uvarint()
	if rd.err != nil || n > uint64(len(b)) {
		return errors.New("nn: RNG state: truncated")
	}
	states := make(map[string][]byte, n)
	for i := uint64(0); i < n; i++ {
		name := string(rd.bytes())
		st := rd.bytes()
		if rd.err != nil {
			return errors.New("nn: RNG state: truncated")
		}
		states[name] = st
	}
	if rd.off != len(b) {
		return errors.New("nn: RNG state: trailing bytes")
	}
	// Validate every stream state before changing anything.
	fresh := make(map[string]*Stream, n)
	for name, st := range states {
		s := NewStream(seed, name)
		if err := s.UnmarshalBinary(st); err != nil {
			return fmt.Errorf("nn: RNG state: stream %q: %w", name, err)
		}
		fresh[name] = s
	}
	r.seed = seed
	for name, s := range r.streams {
		if _, ok := fresh[name]; !ok {
			fresh[name] = NewStream(seed, name)
		}
		st, _ := fresh[name].MarshalBinary()
		_ = s.UnmarshalBinary(st) // validated above
	}
	for name, f := range fresh {
		if _, ok := r.streams[name]; !ok {
			r.streams[name] = f
		}
	}
	return nil
}
