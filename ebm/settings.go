package ebm

import (
	"reflect"
	"strings"
	"unicode"
)

// A Setting is one leaf of a Config: a field that is not a struct, named
// by its dotted JSON path ("steps", "energy.hidden", "gp.weight"), with the
// one-line help of its `help` struct tag. The command line turns each into
// a flag; validation names settings by these paths.
type Setting struct {
	Name  string
	Help  string
	Value reflect.Value // the field, settable when the Config was passed by pointer
}

// Settings lists the settings of c in struct order. With a pointer to a
// Config the values are settable.
func Settings(c *Config) []Setting {
	var out []Setting
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := prefix + jsonName(f)
			if f.Type.Kind() == reflect.Struct {
				walk(v.Field(i), name+".")
				continue
			}
			out = append(out, Setting{Name: name, Help: f.Tag.Get("help"), Value: v.Field(i)})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// jsonName is the field's JSON name, or its Go name in snake_case.
func jsonName(f reflect.StructField) string {
	if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
		return tag
	}
	var b strings.Builder
	for i, r := range f.Name {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(f.Name[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
