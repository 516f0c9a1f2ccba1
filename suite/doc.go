// Package suite runs the toy suite of issue 7: every set × pairing × seed
// trained and evaluated, then summarised in RESULTS.md with a picture grid;
// and, with the same machinery (Config.Images, ImagesConfig), the image
// sweep of issue 15, summarised in IMAGES.md with images-grid.png.
//
// A suite directory holds runs/<set>-<pairing>-s<seed>/ (the run directory
// of the trainer plus eval.json, eval.png and run.json), RESULTS.md and
// grid.png. A run whose eval.json (or, for a diverged run, run.json)
// exists is not repeated, so an interrupted suite resumes where it stopped.
package suite
