package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// A ParseError reports malformed input: the file, and where known the
// 1-based line and column (for CSV the column is the field number).
type ParseError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s: line %d, column %d: %s", e.File, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s: line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// MaxColumns is the widest row a CSV file may have.
const MaxColumns = 1 << 20

// LoadCSV reads a CSV file of floats, one row per sample; see ParseCSV.
func LoadCSV(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseCSV(path, bufio.NewReaderSize(f, 1<<16))
}

// ParseCSV reads comma-separated floats from r, one row per sample, any
// number of columns up to MaxColumns; name labels the errors. The rules:
//   - The first row is a header if none of its fields is a number; a first
//     row that mixes numbers and non-numbers is an error. The header is kept
//     in Dataset.Columns.
//   - Every row has the same number of fields; every field is a finite
//     float64 (strconv.ParseFloat syntax, surrounding spaces ignored, CSV
//     quoting allowed). NaN, ±Inf and values beyond the float32 range are
//     errors.
//   - Blank lines, lines starting with '#', CRLF line ends, a UTF-8 byte
//     order mark and a missing or extra final newline are tolerated.
//   - An input with no rows, or with only a header, is an error.
//
// Errors are *ParseError values naming the input, line and column.
func ParseCSV(name string, r io.Reader) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // ragged rows get our own message
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	fail := func(line, col int, format string, args ...any) error {
		return &ParseError{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	d := &Dataset{}
	firstLine := 0 // line of the row that fixed D
	for rows := 0; ; {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fail(pe.Line, 0, "%v", pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if rows == 0 && firstLine == 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line (only spaces)
		}
		if firstLine == 0 {
			firstLine = line
			if len(rec) > MaxColumns {
				return nil, fail(line, 0, "%d columns, more than the %d a data set may have", len(rec), MaxColumns)
			}
			d.D = len(rec)
			hdr, err := headerRow(rec)
			if err != nil {
				l, _ := cr.FieldPos(err.col)
				return nil, fail(l, err.col+1, "%s", err.msg)
			}
			if hdr != nil {
				d.Columns = hdr
				continue
			}
		}
		if len(rec) != d.D {
			return nil, fail(line, 0, "%d fields, expected %d as on line %d", len(rec), d.D, firstLine)
		}
		for j, f := range rec {
			v, msg := parseField(f)
			if msg != "" {
				l, _ := cr.FieldPos(j)
				return nil, fail(l, j+1, "%s", msg)
			}
			d.X = append(d.X, v)
		}
		rows++
		d.N = rows
	}
	switch {
	case firstLine == 0:
		return nil, fail(0, 0, "empty file: no rows")
	case d.N == 0:
		return nil, fail(0, 0, "no data rows (only a header)")
	}
	return d, nil
}

type fieldError struct {
	col int
	msg string
}

// headerRow returns the trimmed fields if no field of rec is a number, nil
// if all are, and an error pointing at the first non-number otherwise.
func headerRow(rec []string) ([]string, *fieldError) {
	numeric, firstText := 0, -1
	for j, f := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			numeric++
		} else if firstText < 0 {
			firstText = j
		}
	}
	switch numeric {
	case len(rec):
		return nil, nil
	case 0:
		hdr := make([]string, len(rec))
		for j, f := range rec {
			hdr[j] = strings.TrimSpace(f)
		}
		return hdr, nil
	}
	_, msg := parseField(rec[firstText])
	return nil, &fieldError{firstText, msg + " (a header row must have no numeric fields)"}
}

// parseField parses one CSV field as a finite float64; msg explains a
// failure.
func parseField(f string) (v float64, msg string) {
	s := strings.TrimSpace(f)
	if s == "" {
		return 0, "empty field"
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return 0, fmt.Sprintf("value %q is outside the float64 range", s)
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Sprintf("cannot parse %q as a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Sprintf("value %q is not finite", s)
	case math.Abs(v) > math.MaxFloat32:
		return 0, fmt.Sprintf("value %q is outside the float32 range the networks compute in", s)
	}
	return v, "" // an underflow to zero or a subnormal is accepted
}
