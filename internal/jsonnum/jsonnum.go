// Package jsonnum writes float64 values that may be NaN or ±Inf into JSON:
// encoding/json refuses them, so a report holding a standard error of a
// single value (NaN) could not be written at all. Such a value is written
// as null, and null reads back as NaN.
package jsonnum

import (
	"math"
	"strconv"
)

// Float64 is a float64 whose non-finite values encode as JSON null.
type Float64 float64

// MarshalJSON implements json.Marshaler.
func (f Float64) MarshalJSON() ([]byte, error) { return Append(nil, float64(f)), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float64) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float64(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*f = Float64(v)
	return nil
}

// Append appends v to b as a JSON number, or null when v is not finite.
func Append(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
