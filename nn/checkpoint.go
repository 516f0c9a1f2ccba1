package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
)

// Checkpoint file format, version 1 (all integers little-endian):
//
//	offset 0   magic "\x89EBMCK\r\n" (8 bytes; the high byte and CR LF catch
//	           text-mode transfers, as PNG's signature does)
//	       8   format version, uint32
//	      12   flags, uint32 (0; nonzero flags are a newer format)
//	      16   body length n, uint64
//	      24   CRC-32C of bytes 0..23, uint32
//	      28   body, n bytes
//	    28+n   CRC-32C of the body, uint32
//
// The body is the step (uint64), the number of sections (uvarint) and the
// sections, each a kind byte, a name and a payload (both uvarint-length
// prefixed). A tensor payload is a dtype byte (1 float32, 2 float64), the
// number of dimensions and the dimensions (uvarints), then the values; a blob
// payload is opaque bytes (the run configuration, optimizer and RNG states).

const (
	ckptMagic      = "\x89EBMCK\r\n"
	ckptVersion    = 1
	ckptHeaderLen  = 28
	ckptTrailerLen = 4
	maxDims        = 8
)

const (
	sectionTensor byte = 1
	sectionBlob   byte = 2
)

// Errors a checkpoint load can wrap (test them with errors.Is).
var (
	ErrNotCheckpoint = errors.New("not an ebmcpu checkpoint")
	ErrTruncated     = errors.New("truncated")
	ErrCorrupt       = errors.New("corrupt")
	ErrVersion       = errors.New("unsupported format version")
	ErrMismatch      = errors.New("does not match")
)

// CheckpointError reports what is wrong with a checkpoint and in which file.
type CheckpointError struct {
	File    string // "" when decoding bytes
	Kind    error  // one of ErrNotCheckpoint, ErrTruncated, ErrCorrupt, ErrVersion, ErrMismatch
	Problem string
}

func (e *CheckpointError) Error() string {
	where := "nn: checkpoint"
	if e.File != "" {
		where += " " + e.File
	}
	return fmt.Sprintf("%s: %v: %s", where, e.Kind, e.Problem)
}

func (e *CheckpointError) Unwrap() error { return e.Kind }

func ckptErr(kind error, format string, args ...any) *CheckpointError {
	return &CheckpointError{Kind: kind, Problem: fmt.Sprintf(format, args...)}
}

// DType is a tensor's element type in a checkpoint.
type DType uint8

// Element types.
const (
	Float32 DType = 1
	Float64 DType = 2
)

func (d DType) size() int {
	switch d {
	case Float32:
		return 4
	case Float64:
		return 8
	}
	return 0
}

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// A Tensor is a named array in a checkpoint. Data holds the values as
// float64 (exact for float32 tensors); DType is how they are stored.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []float64
}

// Checkpoint is the content of a checkpoint file: named tensors (network
// parameters and buffers), named blobs (optimizer states, RNG state, the run
// configuration) and the training step. Sections keep their insertion order.
type Checkpoint struct {
	Step    int64
	tensors []*Tensor
	blobs   []blob
	file    string // the file it was loaded from, for error messages
}

// errf is ckptErr naming the file c was loaded from.
func (c *Checkpoint) errf(kind error, format string, args ...any) *CheckpointError {
	e := ckptErr(kind, format, args...)
	e.File = c.file
	return e
}

type blob struct {
	name string
	data []byte
}

// Tensors returns the tensors in order.
func (c *Checkpoint) Tensors() []*Tensor { return c.tensors }

// Tensor returns the tensor called name.
func (c *Checkpoint) Tensor(name string) (*Tensor, bool) {
	for _, t := range c.tensors {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// SetTensor adds t, replacing a tensor of the same name.
func (c *Checkpoint) SetTensor(t *Tensor) {
	for i, u := range c.tensors {
		if u.Name == t.Name {
			c.tensors[i] = t
			return
		}
	}
	c.tensors = append(c.tensors, t)
}

// BlobNames returns the blob names in order.
func (c *Checkpoint) BlobNames() []string {
	s := make([]string, len(c.blobs))
	for i, b := range c.blobs {
		s[i] = b.name
	}
	return s
}

// Blob returns the blob called name.
func (c *Checkpoint) Blob(name string) ([]byte, bool) {
	for _, b := range c.blobs {
		if b.name == name {
			return b.data, true
		}
	}
	return nil, false
}

// SetBlob stores data under name, replacing a blob of the same name.
func (c *Checkpoint) SetBlob(name string, data []byte) {
	for i, b := range c.blobs {
		if b.name == name {
			c.blobs[i].data = data
			return
		}
	}
	c.blobs = append(c.blobs, blob{name, data})
}

// ConfigBlob is the blob name of the run configuration (SetConfig, Config).
const ConfigBlob = "config"

// SetConfig stores the run configuration (opaque bytes, e.g. JSON).
func (c *Checkpoint) SetConfig(cfg []byte) { c.SetBlob(ConfigBlob, cfg) }

// Config returns the run configuration, or nil.
func (c *Checkpoint) Config() []byte { b, _ := c.Blob(ConfigBlob); return b }

// Encode returns the checkpoint in the file format.
func (c *Checkpoint) Encode() ([]byte, error) {
	body := binary.LittleEndian.AppendUint64(nil, uint64(c.Step))
	body = appendUvarint(body, uint64(len(c.tensors)+len(c.blobs)))
	seen := map[string]bool{}
	for _, t := range c.tensors {
		if seen[t.Name] {
			return nil, fmt.Errorf("nn: checkpoint: two sections named %q", t.Name)
		}
		seen[t.Name] = true
		if t.DType.size() == 0 {
			return nil, fmt.Errorf("nn: checkpoint: tensor %q has bad dtype %v", t.Name, t.DType)
		}
		if len(t.Shape) > maxDims {
			return nil, fmt.Errorf("nn: checkpoint: tensor %q has %d dimensions (max %d)", t.Name, len(t.Shape), maxDims)
		}
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("nn: checkpoint: tensor %q has negative dimension", t.Name)
			}
			n *= d
		}
		if n != len(t.Data) {
			return nil, fmt.Errorf("nn: checkpoint: tensor %q has shape %v but %d values", t.Name, t.Shape, len(t.Data))
		}
		p := []byte{byte(t.DType)}
		p = appendUvarint(p, uint64(len(t.Shape)))
		for _, d := range t.Shape {
			p = appendUvarint(p, uint64(d))
		}
		for _, v := range t.Data {
			if t.DType == Float32 {
				p = binary.LittleEndian.AppendUint32(p, math.Float32bits(float32(v)))
			} else {
				p = binary.LittleEndian.AppendUint64(p, math.Float64bits(v))
			}
		}
		body = append(body, sectionTensor)
		body = appendString(body, t.Name)
		body = appendBytes(body, p)
	}
	for _, b := range c.blobs {
		if seen[b.name] {
			return nil, fmt.Errorf("nn: checkpoint: two sections named %q", b.name)
		}
		seen[b.name] = true
		body = append(body, sectionBlob)
		body = appendString(body, b.name)
		body = appendBytes(body, b.data)
	}
	out := make([]byte, 0, ckptHeaderLen+len(body)+ckptTrailerLen)
	out = append(out, ckptMagic...)
	out = binary.LittleEndian.AppendUint32(out, ckptVersion)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(body)))
	out = binary.LittleEndian.AppendUint32(out, crc(out))
	out = append(out, body...)
	return binary.LittleEndian.AppendUint32(out, crc(body)), nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// Decode parses a checkpoint from the file format. Every problem is a
// *CheckpointError; it never panics.
func Decode(data []byte) (*Checkpoint, error) {
	if len(data) < len(ckptMagic) {
		if bytes.HasPrefix([]byte(ckptMagic), data) {
			return nil, ckptErr(ErrTruncated, "%d bytes, shorter than the %d-byte header", len(data), ckptHeaderLen)
		}
		return nil, ckptErr(ErrNotCheckpoint, "bad magic number")
	}
	if string(data[:len(ckptMagic)]) != ckptMagic {
		return nil, ckptErr(ErrNotCheckpoint, "bad magic number")
	}
	if len(data) < ckptHeaderLen {
		return nil, ckptErr(ErrTruncated, "%d bytes, shorter than the %d-byte header", len(data), ckptHeaderLen)
	}
	h := data[:ckptHeaderLen]
	if crc(h[:24]) != binary.LittleEndian.Uint32(h[24:]) {
		return nil, ckptErr(ErrCorrupt, "header checksum mismatch")
	}
	version := binary.LittleEndian.Uint32(h[8:])
	flags := binary.LittleEndian.Uint32(h[12:])
	switch {
	case version == 0:
		return nil, ckptErr(ErrCorrupt, "format version 0")
	case version > ckptVersion:
		return nil, ckptErr(ErrVersion, "format version %d is newer than this build reads (%d)", version, ckptVersion)
	case flags != 0:
		return nil, ckptErr(ErrVersion, "unknown format flags %#x", flags)
	}
	n := binary.LittleEndian.Uint64(h[16:])
	avail := uint64(len(data) - ckptHeaderLen - ckptTrailerLen)
	if len(data) < ckptHeaderLen+ckptTrailerLen || n > avail {
		return nil, ckptErr(ErrTruncated, "file has %d bytes, header announces %d", len(data), n+ckptHeaderLen+ckptTrailerLen)
	}
	if n < avail {
		return nil, ckptErr(ErrCorrupt, "%d unexpected bytes after the end", avail-n)
	}
	body := data[ckptHeaderLen : ckptHeaderLen+int(n)]
	if crc(body) != binary.LittleEndian.Uint32(data[ckptHeaderLen+int(n):]) {
		return nil, ckptErr(ErrCorrupt, "body checksum mismatch")
	}
	c, err := decodeBody(body)
	if err != nil {
		return nil, ckptErr(ErrCorrupt, "%v", err)
	}
	return c, nil
}

func decodeBody(body []byte) (*Checkpoint, error) {
	r := &reader{b: body}
	c := &Checkpoint{Step: int64(r.u64())}
	count := r.uvarint()
	if r.err != nil {
		return nil, r.err
	}
	seen := map[string]bool{}
	for i := uint64(0); i < count; i++ {
		kind := r.u8()
		name := r.string()
		payload := r.bytes()
		if r.err != nil {
			return nil, fmt.Errorf("section %d: %w", i, r.err)
		}
		if seen[name] {
			return nil, fmt.Errorf("two sections named %q", name)
		}
		seen[name] = true
		switch kind {
		case sectionTensor:
			t, err := decodeTensor(name, payload)
			if err != nil {
				return nil, err
			}
			c.tensors = append(c.tensors, t)
		case sectionBlob:
			c.blobs = append(c.blobs, blob{name, bytes.Clone(payload)})
		default:
			return nil, fmt.Errorf("section %q has unknown kind %d", name, kind)
		}
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return c, nil
}

func decodeTensor(name string, payload []byte) (*Tensor, error) {
	r := &reader{b: payload}
	t := &Tensor{Name: name, DType: DType(r.u8())}
	size := t.DType.size()
	if r.err == nil && size == 0 {
		return nil, fmt.Errorf("tensor %q has unknown dtype %d", name, t.DType)
	}
	nd := r.uvarint()
	if r.err == nil && nd > maxDims {
		return nil, fmt.Errorf("tensor %q has %d dimensions (max %d)", name, nd, maxDims)
	}
	count := uint64(1)
	for i := uint64(0); i < nd && r.err == nil; i++ {
		d := r.uvarint()
		hi, lo := bits.Mul64(count, d)
		if hi != 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("tensor %q has an impossible shape", name)
		}
		count = lo
		t.Shape = append(t.Shape, int(d))
	}
	if r.err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, r.err)
	}
	rest := uint64(len(payload) - r.off)
	if count > rest/uint64(size) || count*uint64(size) != rest {
		return nil, fmt.Errorf("tensor %q: shape %v needs %d values, payload holds %d bytes", name, t.Shape, count, rest)
	}
	raw := r.take(int(rest))
	t.Data = make([]float64, count)
	for i := range t.Data {
		if t.DType == Float32 {
			t.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		} else {
			t.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	return t, nil
}
