// Package buildinfo reads what the Go toolchain stamped into the running
// binary: the module version and the commit it was built from.
package buildinfo

import "runtime/debug"

// Stamp is a binary's build stamp.
type Stamp struct {
	Version  string // the main module's version; "" for a development build
	Commit   string // the VCS revision; "" when not stamped (go run, go test, -buildvcs=false)
	Modified bool   // the working tree had uncommitted changes
}

// Read returns the running binary's stamp.
func Read() Stamp {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Stamp{}
	}
	return parse(info)
}

func parse(info *debug.BuildInfo) Stamp {
	var s Stamp
	if v := info.Main.Version; v != "(devel)" {
		s.Version = v
	}
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			s.Commit = kv.Value
		case "vcs.modified":
			s.Modified = kv.Value == "true"
		}
	}
	return s
}
