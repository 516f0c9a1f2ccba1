// Package nn holds ebmcpu's differentiable layers: forward passes, reverse
// mode, forward-mode tangents and reverse mode through the tangents, plus
// optimizers, initialisers, the seeded random source and checkpoints.
//
// # Networks and workspaces
//
// A Network (NewSequential, BuildMLP from an MLPSpec, or BuildConvEnergy and
// BuildConvGenerator from a ConvSpec) owns the parameters (Param: values and
// accumulated gradients) and buffers (BatchNorm running statistics,
// spectral-norm vectors). Activations and caches live in a
// Workspace made by Network.NewWorkspace for a maximum batch size and tangent
// count, so several passes can be in flight (the energy on real and on fake
// data in one loss) and Eval passes can run concurrently, one workspace per
// goroutine. Passes allocate nothing in steady state. Everything is generic
// over float32 (training) and float64 (gradient checks, exact references);
// CopyState converts between the two.
//
// Data are batch-major and row-major: B inputs of width D form a B×D slice.
// k tangent directions per sample are stacked k-major: tangent t of sample b
// is row t·B + b of a (k·B)×D slice — the layout linalg's spectral solvers
// share. Inside a pass the primal rows and the tangent rows form one stacked
// (1+k)·B-row matrix, so a Linear layer's tangent pass and its weight
// gradient are one GEMM each (linalg.Gemm) over all rows.
//
// # What a pass computes
//
//   - Forward, then Backward(gy): ∂L/∂θ (accumulated) and ∂L/∂x.
//   - ForwardTangent(x, v, k): y and ẏ = J(x)·v for k tangents per sample.
//   - BackwardTangent(gy, gẏ) after ForwardTangent: ∂L/∂θ, ∂L/∂x and ∂L/∂v
//     for any scalar L of (y, ẏ). An activation y = σ(h), ẏ = σ'(h)ḣ
//     propagates gh = gy·σ'(h) + Σ_t gẏ_t·σ″(h)·ḣ_t and gḣ_t = gẏ_t·σ'(h);
//     a Linear layer accumulates gW = xᵀgy + Σ_t ẋ_tᵀgẏ_t. This yields
//     ∇_θ[∇_x E(x)·w] with w fixed (gy = 0, gẏ = ∂L/∂a; see ScoreDot), the
//     gradients of uᵀJ(z)v (gẏ = u) and of ½ log det(JᵀJ) (HalfLogDet).
//   - VJP: Jᵀw for k cotangents per sample after a primal Forward.
//   - Jacobian: the full per-sample Jacobians (k = In unit tangents);
//     JacobianPass + HalfLogDetBackward: ½ log det(JᵀJ) together with an
//     output cotangent; JacobianOperator: J as a linalg.BatchOperator.
//   - Score: energies and ∇_x E for a batch (Langevin, score terms).
//
// Mode selects BatchNorm batch statistics (Train) or running statistics
// (Eval). SPEC §5 does all Jacobian work in eval mode; a Train pass through
// BatchNorm cannot carry tangents. Spectral normalisation follows
// torch.nn.utils.spectral_norm: one power-iteration step per Train pass,
// gradient with u and v held fixed; each pass keeps its own u, v and σ.
//
// # Layers
//
// Linear (torch layout W: Out×In, torch's default init, optional spectral
// norm), Activation (identity, ReLU, LeakyReLU, PReLU with one learnable
// slope, SiLU, Softplus, Tanh, Sigmoid, ELU; each with σ, σ' and σ″),
// BatchNorm (torch BatchNorm1d: eps 1e-5, momentum 0.1, unbiased running
// variance), Scale (a learnable scalar, bias-free Linear(1,1)) and
// HalfSquaredNorm (y = ½‖h‖² + c, the quadratic-energy head). For images,
// flattened NCHW per sample: Conv2D and ConvTranspose2D (torch layouts and
// init; im2col/col2im around one GEMM per group of stacked rows, so tangent
// rows cost what primal rows do) and BatchNorm2D (per-channel statistics
// over batch and pixels); ConvSpec builds DCGAN-like energies and
// generators from them. Parameter and buffer names follow torch's
// Sequential state_dict ("0.weight", "2.running_var", "0.weight_u");
// testdata/torch_ref.json is a PyTorch run that the float64 network
// reproduces.
//
// # Training utilities
//
// Adam/AdamW and SGD with momentum (torch's update rules), ClipGradNorm,
// Kaiming/Xavier initialisers, MSE, Softmax and SoftmaxCrossEntropy (for
// classifiers). RNG is the one seeded source of a run: independent named
// ChaCha8 substreams ("data", "latents", "probes", "noise") derived from the
// seed, with deterministic Normal and Uniform fills. Optimizers and the RNG
// serialise their state.
//
// # Checkpoints
//
// A Checkpoint holds named tensors (AddNetwork/LoadNetwork), named blobs
// (optimizer and RNG states, the run configuration) and the step, in a
// versioned, self-describing, CRC-32C-checksummed format (see checkpoint.go).
// Save writes atomically (temporary file, fsync, rename). Load and Decode
// never panic: a truncated, corrupt, foreign or newer-version file, or a
// shape mismatch against the network, is a *CheckpointError naming the file
// and the problem. FuzzLoad fuzzes the decoder.
package nn
