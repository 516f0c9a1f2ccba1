// Package classify measures the quality of image samples with small
// convolutional classifiers trained in Go: one for MNIST and one for
// Fashion-MNIST, shipped as nn checkpoints in models/ (see Pretrained) and
// retrained bit for bit by `make classifiers`.
//
// A Classifier (Spec: 3×3 convolutions, LeakyReLU, a 128-wide penultimate
// layer and a linear head; Train: Adam on the softmax cross-entropy,
// nn.SoftmaxCrossEntropy) maps 28×28 images scaled to [−1, 1] to class
// probabilities and penultimate features. Quality scores n generated
// samples against m reference images (the test split) by
//
//   - the classes covered: classes receiving at least CoverageShare (10 %)
//     of their fair share n/K of the samples;
//   - KL(p̂ ‖ uniform) of the histogram p̂ of predicted labels, in nats
//     (0: balanced; log 10 ≈ 2.303: a single class);
//   - the share of samples classified with probability ≥ ConfidentProb
//     (0.9): recognisable samples;
//   - the squared Fréchet distance between Gaussian fits of the
//     penultimate features of samples and reference images (FID's formula
//     with this classifier in place of Inception; FrechetDistance);
//
// together with the same statistics for the reference images and the
// classifier's accuracy on them. Numbers are comparable only between runs
// that use the same classifier checkpoint and equal sample counts.
package classify
