package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned
// byte) and the number of dimensions.
const (
	idxImagesMagic = 0x00000803 // 2051: N × rows × cols bytes
	idxLabelsMagic = 0x00000801 // 2049: N bytes
)

// MaxIDXBytes caps the payload an IDX header may announce (1 GiB; MNIST's
// training images are 47 MB). Larger headers are rejected before anything
// is allocated, and the payload buffer grows only as data actually arrives,
// so a corrupt header cannot trigger a large allocation.
const MaxIDXBytes = 1 << 30

// idxTypes are the element types the IDX format defines.
var idxTypes = map[uint32]bool{0x08: true, 0x09: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true}

// gzipMagic starts every gzip stream; a raw IDX file starts with two zeros.
var gzipMagic = [2]byte{0x1f, 0x8b}

// LoadIDXImages reads an IDX image file (magic 2051), gzip-compressed or
// raw; see ParseIDXImages.
func LoadIDXImages(path string) (*Images, error) {
	var im *Images
	err := withFile(path, func(r io.Reader) (err error) {
		im, err = ParseIDXImages(path, r)
		return err
	})
	return im, err
}

// LoadIDXLabels reads an IDX label file (magic 2049), gzip-compressed or raw.
func LoadIDXLabels(path string) ([]uint8, error) {
	var lb []uint8
	err := withFile(path, func(r io.Reader) (err error) {
		lb, err = ParseIDXLabels(path, r)
		return err
	})
	return lb, err
}

func withFile(path string, parse func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return parse(f)
}

// ParseIDXImages reads an IDX image file from r (gzip or raw, detected by
// the gzip magic); name labels the errors. The pixels stay bytes, 0 =
// background as in MNIST; see Images.Source for scaling. The header must
// announce 3 dimensions of unsigned bytes, each at least 1, and exactly
// N·rows·cols bytes must follow.
func ParseIDXImages(name string, r io.Reader) (*Images, error) {
	dims, pix, err := parseIDX(name, r, idxImagesMagic, "images")
	if err != nil {
		return nil, err
	}
	return &Images{N: dims[0], Height: dims[1], Width: dims[2], Pix: pix}, nil
}

// ParseIDXLabels reads an IDX label file from r (gzip or raw).
func ParseIDXLabels(name string, r io.Reader) ([]uint8, error) {
	_, lb, err := parseIDX(name, r, idxLabelsMagic, "labels")
	return lb, err
}

func parseIDX(name string, r io.Reader, magic uint32, what string) ([]int, []byte, error) {
	fail := func(format string, args ...any) error {
		return &ParseError{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && [2]byte(head) == gzipMagic {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fail("bad gzip stream: %v", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, nil, fail("truncated IDX header: %v", readErr(err))
	}
	got := binary.BigEndian.Uint32(hdr[:])
	if got != magic {
		typ, nd := got>>8&0xff, got&0xff
		switch {
		case got>>16 != 0 || !idxTypes[typ]:
			return nil, nil, fail("not an IDX file: magic number 0x%08x, expected 0x%08x (%d) for %s", got, magic, magic, what)
		case typ != 0x08:
			return nil, nil, fail("IDX element type 0x%02x is not supported: %s must be unsigned bytes (0x08)", typ, what)
		}
		hint := ""
		switch got {
		case idxImagesMagic:
			hint = " (magic 2051: is this the images file?)"
		case idxLabelsMagic:
			hint = " (magic 2049: is this the labels file?)"
		}
		return nil, nil, fail("IDX %s file must have %d dimensions, header has %d%s", what, magic&0xff, nd, hint)
	}
	nd := int(magic & 0xff)
	dims := make([]int, nd)
	size := uint64(1)
	for i := range dims {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return nil, nil, fail("truncated IDX header: %v", readErr(err))
		}
		d := binary.BigEndian.Uint32(hdr[:])
		if d == 0 {
			return nil, nil, fail("IDX dimension %d is zero", i)
		}
		size *= uint64(d) // ≤ 2³²·(2³⁰) before the check below stops the loop
		if size > MaxIDXBytes {
			return nil, nil, fail("IDX header announces more than %d bytes of %s", MaxIDXBytes, what)
		}
		dims[i] = int(d)
	}
	buf, err := readExactly(br, int(size))
	switch {
	case err == io.ErrUnexpectedEOF:
		return nil, nil, fail("truncated %s data: expected %d bytes after the header, got %d", what, size, len(buf))
	case err != nil:
		return nil, nil, fail("reading %s data after %d of %d bytes: %v", what, len(buf), size, err)
	}
	// The final read must report a clean end: that is also when gzip checks
	// its CRC and length trailer.
	var one [1]byte
	switch n, err := io.ReadFull(br, one[:]); {
	case n > 0:
		return nil, nil, fail("trailing data after %d bytes of %s", size, what)
	case err != io.EOF:
		return nil, nil, fail("damaged stream after the %s data: %v", what, err)
	}
	return dims, buf, nil
}

// readExactly reads n bytes, growing its buffer as the data arrives rather
// than trusting n up front. On failure it returns the bytes read so far and
// io.ErrUnexpectedEOF for a short input, or the reader's error.
func readExactly(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, 1<<20))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, min(cap(buf), n-len(buf)))...)[:len(buf)]
		}
		m, err := r.Read(buf[len(buf):min(cap(buf), n)])
		buf = buf[:len(buf)+m]
		switch {
		case err == io.EOF && len(buf) < n:
			return buf, io.ErrUnexpectedEOF
		case err != nil && err != io.EOF:
			return buf, err
		}
	}
	return buf, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
