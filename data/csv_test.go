package data

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	for _, c := range []struct {
		name, in string
		n, d     int
		x        []float64
		cols     []string
	}{
		{"plain", "1,2\n3,4\n", 2, 2, []float64{1, 2, 3, 4}, nil},
		{"header", "x,y\n1,2\n", 1, 2, []float64{1, 2}, []string{"x", "y"}},
		{"crlf spaces no final newline", " x , y \r\n 1 , -2.5e3 \r\n3,\t4", 2, 2, []float64{1, -2500, 3, 4}, []string{"x", "y"}},
		{"bom", "\uFEFFa,b\n1,2\n", 1, 2, []float64{1, 2}, []string{"a", "b"}},
		{"bom without header", "\uFEFF1,2\n", 1, 2, []float64{1, 2}, nil},
		{"blank and comment lines", "\n# note\n1,2\n\n   \n3,4\n\n", 2, 2, []float64{1, 2, 3, 4}, nil},
		{"quoted", "\"a\",\"b\"\n\"1.5\", \"2\"\n", 1, 2, []float64{1.5, 2}, []string{"a", "b"}},
		{"one column", "v\n1\n2\n3\n", 3, 1, []float64{1, 2, 3}, []string{"v"}},
		{"empty header field", ",name\n1,2\n", 1, 2, []float64{1, 2}, []string{"", "name"}},
		{"hex and underflow", "0x1p-2,1e-400\n", 1, 2, []float64{0.25, 0}, nil},
		{"many columns", "1,2,3,4,5\n6,7,8,9,10\n", 2, 5, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, nil},
	} {
		d, err := ParseCSV("in.csv", strings.NewReader(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d.N != c.n || d.D != c.d || !slices.Equal(d.X, c.x) || !slices.Equal(d.Columns, c.cols) {
			t.Errorf("%s: got N=%d D=%d X=%v cols=%q; want N=%d D=%d X=%v cols=%q",
				c.name, d.N, d.D, d.X, d.Columns, c.n, c.d, c.x, c.cols)
		}
	}
}

func TestParseCSVErrors(t *testing.T) {
	for _, c := range []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"empty", "", 0, 0, "empty file"},
		{"only blank lines", "\n  \n\r\n", 0, 0, "empty file"},
		{"only comments", "# a\n# b\n", 0, 0, "empty file"},
		{"header only", "x,y\n", 0, 0, "no data rows"},
		{"ragged short", "1,2\n3\n", 2, 0, "1 fields, expected 2 as on line 1"},
		{"ragged long", "x,y\n1,2\n3,4,5\n", 3, 0, "3 fields, expected 2 as on line 1"},
		{"ragged header", "x,y,z\n1,2\n", 2, 0, "2 fields, expected 3"},
		{"non-numeric", "1,2\n3,abc\n", 2, 2, `cannot parse "abc" as a number`},
		{"nan", "1,2\n3,4\nNaN,1\n", 3, 1, `value "NaN" is not finite`},
		{"inf", "1,-Inf\n", 1, 2, "not finite"},
		{"overflow", "1,2\n1e400,3\n", 2, 1, "outside the float64 range"},
		{"empty field", "1,,2\n", 1, 2, "empty field"},
		{"mixed first row", "x,1\n2,3\n", 1, 1, "a header row must have no numeric fields"},
		{"bare quote", "1,2\n3,4\"5\n", 2, 0, "bare \""},
		{"error after blank lines", "\n\n1,2\n\nz,2\n", 5, 1, `"z"`},
	} {
		_, err := ParseCSV("bad.csv", strings.NewReader(c.in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a *ParseError", c.name, err)
			continue
		}
		if pe.File != "bad.csv" || pe.Line != c.line || pe.Column != c.col || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("%s: got %+v; want line %d, column %d, message containing %q", c.name, *pe, c.line, c.col, c.msg)
		}
		if !strings.HasPrefix(err.Error(), "bad.csv: ") {
			t.Errorf("%s: message %q does not start with the file name", c.name, err)
		}
	}
	err := (&ParseError{File: "f.csv", Line: 3, Column: 2, Msg: "oops"}).Error()
	if err != "f.csv: line 3, column 2: oops" {
		t.Errorf("ParseError format: %q", err)
	}
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(p, []byte("a,b,c\n1,2,3\n4,5,6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadCSV(p)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 2 || d.D != 3 || d.Len() != 2 || d.Dim() != 3 || !slices.Equal(d.At(1), []float64{4, 5, 6}) {
		t.Errorf("got %+v", d)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1,2\n3\n"), 0o644)
	if _, err := LoadCSV(bad); err == nil || !strings.Contains(err.Error(), bad+": line 2") {
		t.Errorf("error %v should name %s and line 2", err, bad)
	}
	missing := filepath.Join(dir, "missing.csv")
	if _, err := LoadCSV(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %v should name %s", err, missing)
	}
}

// formatCSV writes d back as CSV with shortest round-tripping numbers.
func formatCSV(d *Dataset) []byte {
	var b bytes.Buffer
	for i := 0; i < d.N; i++ {
		for j, v := range d.At(i) {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"1,2\n3,4\n", "x,y\r\n1, 2\r\n", "1,2\n3\n", "a\n", "", "1,NaN\n", "\"1\",\"2\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ParseCSV("fuzz.csv", bytes.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		if d.N < 1 || d.D < 1 || len(d.X) != d.N*d.D || (d.Columns != nil && len(d.Columns) != d.D) {
			t.Fatalf("inconsistent dataset N=%d D=%d len(X)=%d columns=%d", d.N, d.D, len(d.X), len(d.Columns))
		}
		for _, v := range d.X {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite value %v accepted", v)
			}
		}
		// The values survive a round trip through their shortest text form.
		again, err := ParseCSV("again.csv", bytes.NewReader(formatCSV(d)))
		if err != nil || again.N != d.N || !slices.Equal(again.X, d.X) {
			t.Fatalf("round trip: %v, %v vs %v", err, again, d.X)
		}
	})
}
