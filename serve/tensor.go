package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// An apiError is a failed request: its HTTP status and the message of the
// JSON error body {"error": msg}.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status, fmt.Sprintf(format, args...)}
}

// inferRequest is $inference_request of the Open Inference Protocol.
// Fields the protocol allows but this server ignores (request and output
// "parameters") are decoded and dropped.
type inferRequest struct {
	ID      *string         `json:"id"`
	Inputs  []requestInput  `json:"inputs"`
	Outputs []requestOutput `json:"outputs"`
}

type requestInput struct {
	Name       string                     `json:"name"`
	Shape      []int64                    `json:"shape"`
	Datatype   string                     `json:"datatype"`
	Parameters map[string]json.RawMessage `json:"parameters"`
	Data       json.RawMessage            `json:"data"`
}

type requestOutput struct {
	Name string `json:"name"`
}

// parseData decodes the JSON array raw into dst, which holds the product of
// shape. The protocol lets a client send the tensor flat, [1, 2, 3, 4], or
// nested per its shape, [[1, 2], [3, 4]] for shape [2, 2]; both are accepted,
// a mix of the two is not. Every element must be a JSON number that is
// finite as a float32.
//
// parseData reads raw itself rather than through encoding/json, which would
// box every element in an interface. It accepts only valid JSON (the
// request was validated already, but FuzzParseData holds it to this) and
// reports, never panics on, anything else.
func parseData(raw []byte, shape []int, dst []float32) error {
	p := dataParser{b: raw, dst: dst}
	p.space()
	if p.peek() != '[' {
		return errors.New(`"data" must be an array of numbers`)
	}
	// Nested when the first element is itself an array.
	look := p
	look.i++
	look.space()
	var err error
	if look.peek() == '[' {
		err = p.nested(shape)
	} else {
		err = p.flat()
	}
	if err != nil {
		return err
	}
	p.space()
	if p.i != len(p.b) {
		return fmt.Errorf(`"data": unexpected %q after the array`, p.b[p.i])
	}
	if p.n != len(dst) {
		return fmt.Errorf(`"data" has %d values, the shape %v needs %d`, p.n, shape, len(dst))
	}
	return nil
}

type dataParser struct {
	b   []byte
	i   int
	dst []float32
	n   int // values written to dst
}

func (p *dataParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte, 0 at the end.
func (p *dataParser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// list parses '[' elem (',' elem)* ']' or '[' ']', calling elem at each element.
func (p *dataParser) list(elem func() error) error {
	p.i++ // '['
	p.space()
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			return nil
		default:
			return errors.New(`"data": malformed array`)
		}
	}
}

// flat parses a one-level array of numbers.
func (p *dataParser) flat() error {
	return p.list(p.number)
}

// nested parses an array nested per shape: level k has shape[k] elements.
func (p *dataParser) nested(shape []int) error {
	if p.peek() != '[' {
		return fmt.Errorf(`"data": want an array nested as the shape, found %s`, p.what())
	}
	if len(shape) == 0 {
		return errors.New(`"data" is nested deeper than the shape`)
	}
	k := 0
	err := p.list(func() error {
		k++
		if k > shape[0] {
			return fmt.Errorf(`"data": an array has more than the %d elements of its dimension`, shape[0])
		}
		if len(shape) == 1 {
			return p.number()
		}
		return p.nested(shape[1:])
	})
	if err != nil {
		return err
	}
	if k != shape[0] {
		return fmt.Errorf(`"data": an array has %d elements, its dimension %d`, k, shape[0])
	}
	return nil
}

// number parses one JSON number into dst:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *dataParser) number() error {
	start := p.i
	p.skip('-')
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case c >= '1' && c <= '9':
		p.digits()
	default:
		if p.i == start {
			return fmt.Errorf(`"data" must hold numbers, found %s`, p.what())
		}
		return errors.New(`"data": malformed number`)
	}
	if p.skip('.') && p.digits() == 0 {
		return errors.New(`"data": malformed number`)
	}
	if p.skip('e') || p.skip('E') {
		if !p.skip('+') {
			p.skip('-')
		}
		if p.digits() == 0 {
			return errors.New(`"data": malformed number`)
		}
	}
	if p.n == len(p.dst) {
		return fmt.Errorf(`"data" has more than the %d values of its shape`, len(p.dst))
	}
	tok := string(p.b[start:p.i])
	v, err := strconv.ParseFloat(tok, 32)
	if err != nil { // the grammar above leaves only overflow
		return fmt.Errorf(`"data" value %d, %s, is not finite as an FP32`, p.n, tok)
	}
	p.dst[p.n] = float32(v)
	p.n++
	return nil
}

// skip consumes c if it is next.
func (p *dataParser) skip(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// digits consumes a run of decimal digits and returns its length.
func (p *dataParser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// what names the JSON value at the cursor for an error message.
func (p *dataParser) what() string {
	switch p.peek() {
	case 0:
		return "the end of the data"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return fmt.Sprintf("%q", p.b[p.i])
}

// The JSON encoding of responses. JSON has no NaN or infinities; the
// encoders write ±Inf as the largest finite value of the tensor's datatype
// (±3.4028235e+38 for FP32, ±1.7976931348623157e+308 for FP64), which
// compares against any finite threshold as ±Inf would, and NaN as null
// (the server answers 500 before a NaN reaches an encoder).

func appendFP32(b []byte, v []float32) []byte {
	b = append(b, '[')
	for i, f := range v {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case f != f:
			b = append(b, "null"...)
			continue
		case f > math.MaxFloat32:
			f = math.MaxFloat32
		case f < -math.MaxFloat32:
			f = -math.MaxFloat32
		}
		b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
	}
	return append(b, ']')
}

func appendFP64(b []byte, v []float64) []byte {
	b = append(b, '[')
	for i, f := range v {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case f != f:
			b = append(b, "null"...)
			continue
		case f > math.MaxFloat64:
			f = math.MaxFloat64
		case f < -math.MaxFloat64:
			f = -math.MaxFloat64
		}
		b = strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return append(b, ']')
}

func appendBools(b []byte, v []bool) []byte {
	b = append(b, '[')
	for i, t := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendBool(b, t)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, err := json.Marshal(s)
	if err != nil { // a string always marshals
		panic(err)
	}
	return append(b, q...)
}

// appendShape appends a shape such as [3,2].
func appendShape(b []byte, shape ...int) []byte {
	b = append(b, '[')
	for i, d := range shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return append(b, ']')
}

// statusOf maps an error from the request path to an HTTP status.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}
