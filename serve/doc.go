// Package serve answers the Open Inference Protocol (KServe v2) REST API
// for energy-based models: energies, the bracket of the log-density, the
// score and an outlier flag, with server-side batching, request limits,
// Prometheus metrics and a graceful shutdown. It is pure Go and links no
// plotting code.
//
// # Endpoints
//
//	GET  /v2                                        server metadata {"name", "version", "extensions"}
//	GET  /v2/health/live                            200 {"live": true}
//	GET  /v2/health/ready                           200 {"ready": true}; 503 {"ready": false} once shutdown starts
//	GET  /v2/models/{name}[/versions/{v}]           model metadata (below)
//	GET  /v2/models/{name}[/versions/{v}]/ready     200 {"name", "ready": true}; 503 once shutdown starts
//	POST /v2/models/{name}[/versions/{v}]/infer     inference (below)
//	GET  /metrics                                   Prometheus text format
//
// # Tensors
//
// A request has one input, "x", datatype FP32, shape [B, D] with D the
// model's dimension and 1 ≤ B ≤ Options.MaxRows, its data flat
// ([x11, x12, x21, x22]) or nested per the shape ([[x11, x12], [x21, x22]]):
//
//	{"id": "42", "inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [0.1, 0.2, 0.3, 0.4]}],
//	 "outputs": [{"name": "energy"}, {"name": "score"}]}
//
// The outputs, data always flat in row-major order:
//
//	energy              FP32 [B]     E(x)
//	log_density_lower   FP64 [B]     −E(x) − log Z_hi ≤ log p(x)
//	log_density_upper   FP64 [B]     log p(x) ≤ −E(x) − log Z_lo
//	is_outlier          BOOL [B]     E(x) > the calibrated threshold (models with a Calibration only)
//	score               FP32 [B, D]  ∇ log p(x) = −∇E(x)
//
// A request's "outputs" names the outputs to return, in that order. Without
// it the response holds every output but the score, whose B×D values and
// extra model pass a client asks for by name (the protocol says "all
// outputs"; the score is the one exception, listed in the metadata's
// parameters as default_outputs).
//
// The "parameters" of a request and of its outputs are ignored (JSON is
// returned even when a client asks for binary_data); the binary tensor data
// extension for inputs is refused with 400.
//
// JSON has no infinities or NaN. An infinite output is written as the
// largest finite value of its datatype with the same sign (±3.4028235e+38
// for FP32, ±1.7976931348623157e+308 for FP64): log_density_lower is
// −1.7976931348623157e+308 for a model without an upper bound of log Z. A
// NaN output fails the request with 500. Inputs must be finite in FP32:
// 1e39 is rejected, not rounded to infinity.
//
// The model metadata is the protocol's $metadata_model_response, with
// "platform": "ebmcpu" and a "parameters" object (an addition to the
// protocol's schema) holding dim, bracket (the certification status of the
// bracket), max_rows, max_batch, max_delay_ms, default_outputs and, for a
// calibrated model, outlier_threshold, outlier_fpr, calibration_n,
// calibration_held_out_fpr and calibration_source.
//
// # Errors
//
// Every failure answers {"error": "message"}:
//
//	400  malformed JSON; not exactly one input "x"; datatype not FP32; shape not [B, D];
//	     data not matching the shape; a non-number or a value not finite in FP32;
//	     an unknown or repeated output name; the binary data extension
//	404  unknown model, version or path
//	405  wrong method (Allow names the right one)
//	413  body over Options.MaxBodyBytes, or B over Options.MaxRows
//	500  the model failed or returned NaN
//	503  shutting down, or no answer within Options.RequestTimeout
//
// # Batching
//
// With Options.MaxBatch > 1 each model has a queue: a worker takes the
// first waiting request and adds the rows of requests arriving within
// Options.MaxDelay, up to MaxBatch rows, then calls the model once per
// method the batch needs and splits the results. A request of more than
// MaxBatch rows is cut into parts of at most MaxBatch rows, so no model call
// ever exceeds MaxBatch rows. For a model whose rows are computed
// independently the results are bit-identical to unbatched calls
// (servetest.CheckRows tests a model for this). With MaxBatch ≤ 1 every
// request calls the model directly with all its rows.
//
// # Metrics
//
// On a private registry (Server.Registry), with the Go and process
// collectors: ebmcpu_serve_requests_total{model,endpoint,code},
// ebmcpu_serve_infer_duration_seconds{model},
// ebmcpu_serve_batch_rows{model}, ebmcpu_serve_model_call_duration_seconds{model},
// ebmcpu_serve_errors_total{model,reason} and ebmcpu_serve_in_flight_requests.
// Requests for unknown models are labelled model="_unknown".
//
// # Shutdown
//
// Serve stops when its context ends: readiness turns 503, the listener
// closes, requests in flight complete (within Options.ShutdownTimeout), then
// the batchers stop. The caller maps SIGTERM to the context
// (signal.NotifyContext).
package serve
