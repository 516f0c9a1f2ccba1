package main

import (
	"flag"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/ebmcpu/ebmcpu/ebm"
)

// configFlags exposes every setting of a Config (ebm.Settings) as a flag
// named by its dotted JSON path (--steps, --energy.hidden, --gp.weight).
// Parsed values are kept as text and applied to a config afterwards, so
// explicit flags override a --config file whatever the order on the
// command line.
type configFlags struct {
	set   []string          // names in the order given
	value map[string]string // name → text
	help  []ebm.Setting     // the settings with their defaults, in struct order
}

// registerConfigFlags adds a flag for each setting to fs, with def's
// values as the documented defaults.
func registerConfigFlags(fs *flag.FlagSet, def ebm.Config) *configFlags {
	cf := &configFlags{value: map[string]string{}, help: ebm.Settings(&def)}
	for _, s := range cf.help {
		name := s.Name
		record := func(v string) error {
			if _, ok := cf.value[name]; !ok {
				cf.set = append(cf.set, name)
			}
			cf.value[name] = v
			return nil
		}
		usage := fmt.Sprintf("%s (default %s)", s.Help, formatValue(s.Value))
		if s.Value.Kind() == reflect.Bool {
			fs.BoolFunc(name, usage, record)
		} else {
			fs.Func(name, usage, record)
		}
	}
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
	for _, s := range cf.help {
		width = max(width, len(s.Name)+len(kindName(s.Value.Type()))+3)
	}
	for _, s := range cf.help {
		flag := fmt.Sprintf("--%s %s", s.Name, kindName(s.Value.Type()))
		fmt.Fprintf(w, "  %-*s  %s (default %s)\n", width, flag, s.Help, formatValue(s.Value))
	}
}

func formatValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = strconv.FormatInt(v.Index(i).Int(), 10)
		}
		return strings.Join(parts, ",")
	case reflect.String:
		return strconv.Quote(v.String())
	}
	return fmt.Sprint(v.Interface())
}

// given reports whether any config flag was set.
func (cf *configFlags) given() bool { return len(cf.set) > 0 }

// apply writes the flags that were set into cfg.
func (cf *configFlags) apply(cfg *ebm.Config) error {
	fields := map[string]reflect.Value{}
	for _, s := range ebm.Settings(cfg) {
		fields[s.Name] = s.Value
	}
	for _, name := range cf.set {
		f := fields[name]
		s := cf.value[name]
		bad := func(want string) error { return cli.Usage("--%s=%q: want %s", name, s, want) }
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
			ints := []int{}
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
		default:
			return fmt.Errorf("--%s: setting of kind %v cannot be parsed", name, f.Kind())
		}
	}
	return nil
}
