// Package archtest holds no code: its test asserts the module's import
// rules, so that the layering survives later changes.
//
//   - No package imports one of its ancestors (trainer/x may not import
//     trainer): a package is a unit of its own, not a part of its parent.
//   - The package that holds the model (ebm) and the inference server's
//     binary (cmd/ebmcpu-serve), with everything they link, depend on no
//     plotting, image-encoding or font package: a service that embeds or
//     serves a model links only the numerics.
package archtest
