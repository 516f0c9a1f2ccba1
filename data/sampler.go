package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// A Sampler draws batches from a finite dataset in shuffled epochs: every
// row appears once per epoch, and a batch that reaches the end of an epoch
// continues with the next one. Each epoch's permutation comes from a 64-bit
// seed drawn from the caller's source when the epoch starts, so the batches
// are a deterministic function of that source, and the Sampler's own state
// (see MarshalBinary) is three numbers. Stochastic row transforms
// (dequantisation) also draw from the caller's source.
//
// A Sampler is not safe for concurrent use. Next does not allocate once its
// index buffer has grown to the batch size.
type Sampler struct {
	f     Finite
	rng   *rand.Rand
	perm  []int32
	pos   int    // next position in perm; len(perm) when the epoch is spent
	epoch int64  // epochs started
	seed  uint64 // seed of the current epoch's permutation

	pcg  rand.PCG
	shuf *rand.Rand
	idx  []int
}

// maxSamplerRows bounds the dataset size (the permutation holds int32).
const maxSamplerRows = math.MaxInt32

// NewSampler returns a Sampler over f drawing from rng. It draws nothing
// until the first batch.
func NewSampler(f Finite, rng *rand.Rand) (*Sampler, error) {
	n := f.Len()
	switch {
	case n <= 0:
		return nil, errors.New("data: cannot sample from an empty dataset")
	case n > maxSamplerRows:
		return nil, fmt.Errorf("data: dataset of %d rows is too large to sample", n)
	case f.Dim() <= 0:
		return nil, errors.New("data: cannot sample rows of dimension 0")
	}
	s := &Sampler{f: f, rng: rng, perm: make([]int32, n)}
	s.pos = n
	s.shuf = rand.New(&s.pcg)
	return s, nil
}

// Dim returns the row dimension.
func (s *Sampler) Dim() int { return s.f.Dim() }

// Epoch returns the number of epochs started so far (0 before the first
// batch).
func (s *Sampler) Epoch() int64 { return s.epoch }

// NextIndices advances by len(idx) rows and writes their indices to idx.
func (s *Sampler) NextIndices(idx []int) {
	for k := range idx {
		if s.pos == len(s.perm) {
			s.seed = s.rng.Uint64()
			s.epoch++
			s.permute()
		}
		idx[k] = int(s.perm[s.pos])
		s.pos++
	}
}

// permute sets perm to the permutation of the current seed.
func (s *Sampler) permute() {
	for i := range s.perm {
		s.perm[i] = int32(i)
	}
	s.pcg.Seed(s.seed, 0x65626d637075) // fixed stream constant ("ebmcpu")
	shuffle(s.perm, s.shuf)
	s.pos = 0
}

// Next writes the next n rows to dst[:n·Dim()], row-major, rounded to
// float32. It panics if n < 0 or dst is too short.
func (s *Sampler) Next(dst []float32, n int) {
	d := s.f.Dim()
	if n < 0 || len(dst) < n*d {
		panic(fmt.Sprintf("data: need a destination of %d·%d values, have %d", n, d, len(dst)))
	}
	if cap(s.idx) < n {
		s.idx = make([]int, n)
	}
	idx := s.idx[:n]
	s.NextIndices(idx)
	for k, i := range idx {
		s.f.Row(i, dst[k*d:(k+1)*d], s.rng)
	}
}

// A SamplerPos is a Sampler's position, for undoing the batches of an
// interrupted iteration without allocating (the source it draws epoch
// seeds from is saved alongside by the caller).
type SamplerPos struct {
	pos, epoch int64
	seed       uint64
}

// Pos returns the current position.
func (s *Sampler) Pos() SamplerPos { return SamplerPos{int64(s.pos), s.epoch, s.seed} }

// SetPos returns to a position Pos returned (re-deriving the epoch's
// permutation from its seed when the epoch changed since).
func (s *Sampler) SetPos(p SamplerPos) {
	if p.epoch != s.epoch || p.seed != s.seed {
		s.epoch, s.seed = p.epoch, p.seed
		if p.epoch > 0 {
			s.permute()
		}
	}
	s.pos = int(p.pos)
}

const samplerMagic = "ebmcpu-data-sampler-v1"

// MarshalBinary returns the Sampler's position: the dataset size, the epoch
// count, the position in the epoch and the epoch's permutation seed. The
// caller's source is not included; save it alongside.
func (s *Sampler) MarshalBinary() ([]byte, error) {
	b := []byte(samplerMagic)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s.perm)))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.epoch))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.pos))
	b = binary.LittleEndian.AppendUint64(b, s.seed)
	return b, nil
}

// UnmarshalBinary restores a position saved by MarshalBinary for a dataset
// of the same size.
func (s *Sampler) UnmarshalBinary(b []byte) error {
	if len(b) != len(samplerMagic)+32 || string(b[:len(samplerMagic)]) != samplerMagic {
		return errors.New("data: sampler state: bad magic or length")
	}
	b = b[len(samplerMagic):]
	n := binary.LittleEndian.Uint64(b)
	epoch := binary.LittleEndian.Uint64(b[8:])
	pos := binary.LittleEndian.Uint64(b[16:])
	seed := binary.LittleEndian.Uint64(b[24:])
	switch {
	case n != uint64(len(s.perm)):
		return fmt.Errorf("data: sampler state is for %d rows, the dataset has %d", n, len(s.perm))
	case pos > n || epoch > math.MaxInt64 || (epoch == 0 && pos != n):
		return errors.New("data: sampler state: inconsistent position")
	}
	s.epoch, s.seed = int64(epoch), seed
	if epoch > 0 {
		s.permute()
	}
	s.pos = int(pos)
	return nil
}
