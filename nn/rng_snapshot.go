package nn

import "math/rand/v2"

// An RNGSnapshot holds the position of every stream of an RNG. Snapshot
// and Restore copy the ChaCha8 states by value and allocate nothing once
// the snapshot has held as many streams: cheap enough to take at the start
// of every training iteration, so that an interrupted iteration can be
// undone (its draws included) and the run resumed bit for bit.
type RNGSnapshot struct {
	streams []*Stream
	states  []rand.ChaCha8
}

// Snapshot records the position of every stream r has handed out.
func (r *RNG) Snapshot(dst *RNGSnapshot) {
	dst.streams, dst.states = dst.streams[:0], dst.states[:0]
	for _, s := range r.streams {
		dst.streams = append(dst.streams, s)
		dst.states = append(dst.states, *s.src)
	}
}

// Restore puts the streams of a snapshot back where it found them. Streams
// made after the snapshot keep their position.
func (r *RNG) Restore(src *RNGSnapshot) {
	for i, s := range src.streams {
		*s.src = src.states[i]
	}
}
