// Package plot draws every picture ebmcpu writes, as PNG files, with
// gonum/plot: the pictures of a run during training (Training: the model
// density and energy on the data box, generator samples over data; for
// images, grids of generator and MALA-refined samples and the histogram of
// the energies of data and out-of-distribution sets), the panel of an
// evaluation (Panel), grids of image samples (ImageGrid, for `ebmcpu
// sample --png`), and mosaics of panels (Mosaic, the suites' grids). It is
// the only package that links the plotting, font and image-encoding
// libraries, so that a service embedding a model (package ebm) does not.
package plot
