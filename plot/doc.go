// Package plot draws every picture ebmcpu writes, as PNG files, with
// gonum/plot: the pictures of a run during training (Training: the model
// density and energy on the data box, generator samples over data), the
// panel of an evaluation (Panel), and mosaics of panels (Mosaic, the toy
// suite's grid). It is the only package that links the plotting, font and
// image-encoding libraries, so that a service embedding a model (package
// ebm) does not.
package plot
