package trainer

import (
	"math"
	"reflect"
	"strconv"
	"strings"
)

// MarshalJSON writes the metrics with their JSON names, as null where a
// value is not finite (a standard error of a single value, say), which
// encoding/json would refuse.
func (m Metrics) MarshalJSON() ([]byte, error) {
	v := reflect.ValueOf(m)
	ty := v.Type()
	b := []byte{'{'}
	for i := 0; i < ty.NumField(); i++ {
		name, opts, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
		f := v.Field(i)
		if opts == "omitempty" && f.IsZero() {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, name)
		b = append(b, ':')
		switch f.Kind() {
		case reflect.Float64:
			if x := f.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendFloat(b, x, 'g', -1, 64)
			}
		default:
			b = strconv.AppendInt(b, f.Int(), 10)
		}
	}
	return append(b, '}'), nil
}
