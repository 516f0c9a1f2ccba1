package main

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// configFlags exposes every leaf field of a config struct as a flag named
// by its dotted JSON path (--steps, --energy.hidden, --gp.weight). Parsed
// values are kept as text and applied to a config afterwards, so explicit
// flags override a --config file whatever the order on the command line.
type configFlags struct {
	set   []string          // names in the order given
	value map[string]string // name → text
	field map[string][]int  // name → reflect field index path
	help  []settingHelp     // one line per setting, in struct order
}

// settingHelp is what `ebmcpu train -h` prints of a setting: its flag
// name, the kind of value it takes, its help tag and its default.
type settingHelp struct {
	name, kind, help, def string
}

// register adds a flag for each leaf of def's type to fs, with def's values
// as the documented defaults.
func registerConfigFlags(fs *flag.FlagSet, def any) *configFlags {
	cf := &configFlags{value: map[string]string{}, field: map[string][]int{}}
	var walk func(v reflect.Value, prefix string, index []int)
	walk = func(v reflect.Value, prefix string, index []int) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := prefix + jsonName(f)
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct {
				walk(v.Field(i), name+".", idx)
				continue
			}
			if !leafKind(f.Type) {
				continue
			}
			cf.field[name] = idx
			def := formatValue(v.Field(i))
			cf.help = append(cf.help, settingHelp{name: name, kind: kindName(f.Type), help: f.Tag.Get("help"), def: def})
			usage := fmt.Sprintf("%s (default %s)", f.Tag.Get("help"), def)
			record := func(s string) error {
				if _, ok := cf.value[name]; !ok {
					cf.set = append(cf.set, name)
				}
				cf.value[name] = s
				return nil
			}
			if f.Type.Kind() == reflect.Bool {
				fs.BoolFunc(name, usage, record)
			} else {
				fs.Func(name, usage, record)
			}
		}
	}
	walk(reflect.ValueOf(def), "", nil)
	return cf
}

// kindName names the kind of value a setting takes, for the help.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "ints"
	case reflect.Float64:
		return "number"
	case reflect.Uint64:
		return "uint"
	}
	return t.Kind().String()
}

// printHelp writes one line per setting: the flag, the kind of value, what
// it does with its range, and its default.
func (cf *configFlags) printHelp(w io.Writer) {
	width := 0
	for _, h := range cf.help {
		width = max(width, len(h.name)+len(h.kind)+4)
	}
	for _, h := range cf.help {
		flag := fmt.Sprintf("--%s %s", h.name, h.kind)
		fmt.Fprintf(w, "  %-*s  %s (default %s)\n", width, flag, h.help, h.def)
	}
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

func leafKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Uint64, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Int
	}
	return false
}

func formatValue(v reflect.Value) string {
	if v.Kind() == reflect.Slice {
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = strconv.FormatInt(v.Index(i).Int(), 10)
		}
		return strings.Join(parts, ",")
	}
	if v.Kind() == reflect.String {
		return strconv.Quote(v.String())
	}
	return fmt.Sprint(v.Interface())
}

// given reports whether any config flag was set.
func (cf *configFlags) given() bool { return len(cf.set) > 0 }

// apply writes the flags that were set into cfg (a pointer to the struct).
func (cf *configFlags) apply(cfg any) error {
	root := reflect.ValueOf(cfg).Elem()
	for _, name := range cf.set {
		f := root.FieldByIndex(cf.field[name])
		s := cf.value[name]
		bad := func(want string) error { return usageError("--%s=%q: want %s", name, s, want) }
		switch f.Kind() {
		case reflect.String:
			f.SetString(s)
		case reflect.Bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return bad("true or false")
			}
			f.SetBool(b)
		case reflect.Int:
			n, err := strconv.Atoi(s)
			if err != nil {
				return bad("an integer")
			}
			f.SetInt(int64(n))
		case reflect.Uint64:
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return bad("a non-negative integer")
			}
			f.SetUint(n)
		case reflect.Float64:
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return bad("a number")
			}
			f.SetFloat(x)
		case reflect.Slice:
			var ints []int
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part == "" {
					continue
				}
				n, err := strconv.Atoi(part)
				if err != nil {
					return bad("comma-separated integers, e.g. 100,100")
				}
				ints = append(ints, n)
			}
			f.Set(reflect.ValueOf(ints))
		}
	}
	return nil
}
