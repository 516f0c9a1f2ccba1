package serve

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// reply writes a 2xx or 503 JSON body and counts the request.
func (s *Server) reply(w http.ResponseWriter, model, endpoint string, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
	s.metrics.requests.WithLabelValues(model, endpoint, strconv.Itoa(status)).Inc()
}

// fail writes the protocol's error body {"error": "..."} with the status of
// err and counts the request and the error.
func (s *Server) fail(w http.ResponseWriter, model, endpoint string, err error) {
	status := statusOf(err)
	msg := err.Error()
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		msg = "request body over " + strconv.FormatInt(mbe.Limit, 10) + " bytes"
	}
	if status >= 500 && s.opt.ErrorLog != nil {
		s.opt.ErrorLog.Printf("serve: %s %s: %d %s", model, endpoint, status, msg)
	}
	body := appendString([]byte(`{"error":`), msg)
	s.reply(w, model, endpoint, status, append(body, '}'))
	s.metrics.errors.WithLabelValues(model, reason(status)).Inc()
}

// A getter answers a GET: the model label, the status and body, or an error.
type getter func(r *http.Request) (model string, status int, body []byte, err error)

// get adapts a getter to an http.HandlerFunc answering GET and HEAD.
func (s *Server) get(endpoint string, fn getter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.fail(w, "", endpoint, errorf(http.StatusMethodNotAllowed, "%s %s: want GET", r.Method, r.URL.Path))
			return
		}
		model, status, body, err := fn(r)
		if err != nil {
			s.fail(w, model, endpoint, err)
			return
		}
		s.reply(w, model, endpoint, status, body)
	}
}

func (s *Server) serverMetadata(*http.Request) (string, int, []byte, error) {
	b, err := json.Marshal(struct {
		Name       string   `json:"name"`
		Version    string   `json:"version"`
		Extensions []string `json:"extensions"`
	}{platformName, s.opt.ServerVersion, []string{}})
	return "", http.StatusOK, b, err
}

func (s *Server) live(*http.Request) (string, int, []byte, error) {
	return "", http.StatusOK, []byte(`{"live":true}`), nil
}

// ready is 200 until shutdown starts, then 503 so that load balancers stop
// sending requests while the server drains.
func (s *Server) ready(*http.Request) (string, int, []byte, error) {
	if s.draining.Load() {
		return "", http.StatusServiceUnavailable, []byte(`{"ready":false}`), nil
	}
	return "", http.StatusOK, []byte(`{"ready":true}`), nil
}

// lookup finds the model of the request's path: 404 for an unknown name or
// a version the model does not have.
func (s *Server) lookup(r *http.Request) (*model, error) {
	name := r.PathValue("name")
	m, ok := s.models[name]
	if !ok {
		return nil, errorf(http.StatusNotFound, "no model named %q", name)
	}
	if v := r.PathValue("version"); v != "" && v != m.Version {
		if m.Version == "" {
			return nil, errorf(http.StatusNotFound, "model %s has no versions (asked for %q)", name, v)
		}
		return nil, errorf(http.StatusNotFound, "model %s has version %s, not %q", name, m.Version, v)
	}
	return m, nil
}

func (s *Server) modelMetadata(r *http.Request) (string, int, []byte, error) {
	m, err := s.lookup(r)
	if err != nil {
		return unknownModel, 0, nil, err
	}
	return m.Name, http.StatusOK, m.meta, nil
}

func (s *Server) modelReady(r *http.Request) (string, int, []byte, error) {
	m, err := s.lookup(r)
	if err != nil {
		return unknownModel, 0, nil, err
	}
	ready, status := true, http.StatusOK
	if s.draining.Load() {
		ready, status = false, http.StatusServiceUnavailable
	}
	b, err := json.Marshal(struct {
		Name  string `json:"name"`
		Ready bool   `json:"ready"`
	}{m.Name, ready})
	return m.Name, status, b, err
}

// tensorMeta is $metadata_tensor.
type tensorMeta struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	Shape    []int  `json:"shape"`
}

// metadata is the body of GET /v2/models/{name}: $metadata_model_response
// with "parameters" added for the bracket, the calibration and the limits.
func (s *Server) metadata(m *model) []byte {
	d := m.dim
	outs := []tensorMeta{
		{OutEnergy, "FP32", []int{-1}},
		{OutLower, "FP64", []int{-1}},
		{OutUpper, "FP64", []int{-1}},
	}
	params := map[string]any{
		"dim":             d,
		"bracket":         m.Bracket,
		"max_rows":        s.opt.MaxRows,
		"max_batch":       max(s.opt.MaxBatch, 1),
		"max_delay_ms":    s.opt.MaxDelay.Seconds() * 1e3,
		"default_outputs": "",
	}
	if c := m.Calibration; c != nil {
		outs = append(outs, tensorMeta{OutOutlier, "BOOL", []int{-1}})
		params["outlier_threshold"] = c.Threshold
		params["outlier_fpr"] = c.FPR
		params["calibration_n"] = c.N
		params["calibration_held_out_fpr"] = c.HeldOutFPR
		params["calibration_source"] = c.Source
	}
	outs = append(outs, tensorMeta{OutScore, "FP32", []int{-1, d}})
	dflt := ""
	for i, n := range m.dflt {
		if i > 0 {
			dflt += ","
		}
		dflt += n
	}
	params["default_outputs"] = dflt
	var versions []string
	if m.Version != "" {
		versions = []string{m.Version}
	}
	b, err := json.Marshal(struct {
		Name       string         `json:"name"`
		Versions   []string       `json:"versions,omitempty"`
		Platform   string         `json:"platform"`
		Inputs     []tensorMeta   `json:"inputs"`
		Outputs    []tensorMeta   `json:"outputs"`
		Parameters map[string]any `json:"parameters"`
	}{m.Name, versions, platformName, []tensorMeta{{InputName, "FP32", []int{-1, d}}}, outs, params})
	if err != nil { // only finite numbers and strings: cannot fail
		panic(err)
	}
	return b
}

// infer answers POST /v2/models/{name}[/versions/{version}]/infer.
func (s *Server) infer(w http.ResponseWriter, r *http.Request) {
	const endpoint = "infer"
	start := time.Now()
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.fail(w, "", endpoint, errorf(http.StatusMethodNotAllowed, "%s %s: want POST", r.Method, r.URL.Path))
		return
	}
	m, err := s.lookup(r)
	if err != nil {
		s.fail(w, unknownModel, endpoint, err)
		return
	}
	body, err := s.runInfer(w, r, m)
	if err != nil {
		s.fail(w, m.Name, endpoint, err)
	} else {
		s.reply(w, m.Name, endpoint, http.StatusOK, body)
	}
	s.metrics.latency.WithLabelValues(m.Name).Observe(time.Since(start).Seconds())
}

func (s *Server) runInfer(w http.ResponseWriter, r *http.Request, m *model) ([]byte, error) {
	if s.draining.Load() {
		return nil, errorf(http.StatusServiceUnavailable, "the server is shutting down")
	}
	if r.Header.Get("Inference-Header-Content-Length") != "" {
		return nil, errorf(http.StatusBadRequest, "the binary tensor data extension is not supported: send JSON data")
	}
	if r.ContentLength > s.opt.MaxBodyBytes {
		return nil, errorf(http.StatusRequestEntityTooLarge, "request body over %d bytes", s.opt.MaxBodyBytes)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	var req inferRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed inference request: %v", err)
	}
	j, outs, err := m.prepare(&req, s.opt.MaxRows)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if s.opt.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opt.RequestTimeout)
		defer cancel()
	}
	if err := s.compute(ctx, m, j); err != nil {
		return nil, err
	}
	if err := j.checkFinite(m.dim); err != nil {
		return nil, err
	}
	return m.encode(&req, j, outs), nil
}

// compute runs j through the model, batched or not.
func (s *Server) compute(ctx context.Context, m *model, j *job) error {
	if m.batcher == nil {
		start := time.Now()
		err := compute(m.Model, j.need, j.x, j.e, j.lo, j.hi, j.s)
		s.metrics.batchRows.WithLabelValues(m.Name).Observe(float64(j.rows))
		s.metrics.callTime.WithLabelValues(m.Name).Observe(time.Since(start).Seconds())
		if err != nil {
			return errorf(http.StatusInternalServerError, "model %s: %v", m.Name, err)
		}
		return nil
	}
	err := m.batcher.submit(ctx, j)
	if err == nil {
		select {
		case <-j.done:
			if err := j.error(); err != nil {
				return errorf(http.StatusInternalServerError, "model %s: %v", m.Name, err)
			}
			return nil
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	switch {
	case errors.Is(err, errClosed):
		return errorf(http.StatusServiceUnavailable, "%v", err)
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(http.StatusServiceUnavailable, "timed out waiting for model %s", m.Name)
	}
	return errorf(499, "request canceled: %v", err) // the client is gone: nobody reads this
}

// prepare validates the request against the model and returns its job with
// the input rows filled in and the names of the outputs to return.
func (m *model) prepare(req *inferRequest, maxRows int) (*job, []string, error) {
	bad := func(format string, args ...any) error { return errorf(http.StatusBadRequest, format, args...) }
	if len(req.Inputs) != 1 {
		return nil, nil, bad("want one input tensor %q of shape [B, %d], got %d inputs", InputName, m.dim, len(req.Inputs))
	}
	in := &req.Inputs[0]
	if in.Name != InputName {
		return nil, nil, bad("unknown input %q: model %s has one input, %q", in.Name, m.Name, InputName)
	}
	if in.Datatype != "FP32" {
		return nil, nil, bad("input %q has datatype %q, want FP32", in.Name, in.Datatype)
	}
	if _, ok := in.Parameters["binary_data_size"]; ok {
		return nil, nil, bad("the binary tensor data extension is not supported: send JSON data")
	}
	if len(in.Shape) != 2 || in.Shape[1] != int64(m.dim) {
		return nil, nil, bad("input %q has shape %v, want [B, %d]", in.Name, in.Shape, m.dim)
	}
	if in.Shape[0] < 1 {
		return nil, nil, bad("input %q has shape %v: want at least one row", in.Name, in.Shape)
	}
	if in.Shape[0] > int64(maxRows) {
		return nil, nil, errorf(http.StatusRequestEntityTooLarge, "input %q has %d rows, over the limit of %d", in.Name, in.Shape[0], maxRows)
	}
	if in.Data == nil {
		return nil, nil, bad("input %q has no \"data\"", in.Name)
	}
	outs := m.dflt
	need := 0
	if len(req.Outputs) > 0 {
		outs = make([]string, len(req.Outputs))
		for i, o := range req.Outputs {
			bit, ok := m.outputs[o.Name]
			if !ok {
				return nil, nil, bad("unknown output %q (model %s has %s)", o.Name, m.Name, m.outputList())
			}
			for _, prev := range outs[:i] {
				if prev == o.Name {
					return nil, nil, bad("output %q requested twice", o.Name)
				}
			}
			outs[i] = o.Name
			need |= bit
		}
	} else {
		for _, n := range outs {
			need |= m.outputs[n]
		}
	}
	rows := int(in.Shape[0])
	j := newJob(rows, m.dim, need)
	if err := parseData(in.Data, []int{rows, m.dim}, j.x); err != nil {
		return nil, nil, bad("input %q: %v", in.Name, err)
	}
	return j, outs, nil
}

func (m *model) outputList() string {
	s := ""
	for _, n := range []string{OutEnergy, OutLower, OutUpper, OutOutlier, OutScore} {
		if _, ok := m.outputs[n]; ok {
			if s != "" {
				s += ", "
			}
			s += n
		}
	}
	return s
}

// checkFinite rejects NaN outputs, which JSON cannot carry and which mean
// the model failed. Infinities are allowed (see appendFP32).
func (j *job) checkFinite(dim int) error {
	for i := range j.rows {
		nan := (j.e != nil && j.e[i] != j.e[i]) ||
			(j.lo != nil && (math.IsNaN(j.lo[i]) || math.IsNaN(j.hi[i])))
		if j.s != nil {
			for _, v := range j.s[i*dim : (i+1)*dim] {
				nan = nan || v != v
			}
		}
		if nan {
			return errorf(http.StatusInternalServerError, "the model returned NaN for row %d", i)
		}
	}
	return nil
}

// encode writes $inference_response with the outputs in the order asked.
func (m *model) encode(req *inferRequest, j *job, outs []string) []byte {
	b := make([]byte, 0, 128+j.rows*(64+24*len(outs))+len(j.s)*16)
	b = append(b, `{"model_name":`...)
	b = appendString(b, m.Name)
	if m.Version != "" {
		b = append(b, `,"model_version":`...)
		b = appendString(b, m.Version)
	}
	if req.ID != nil {
		b = append(b, `,"id":`...)
		b = appendString(b, *req.ID)
	}
	b = append(b, `,"outputs":[`...)
	for i, name := range outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendString(b, name)
		switch name {
		case OutEnergy:
			b = append(b, `,"datatype":"FP32","shape":`...)
			b = appendShape(b, j.rows)
			b = appendFP32(append(b, `,"data":`...), j.e)
		case OutLower:
			b = append(b, `,"datatype":"FP64","shape":`...)
			b = appendShape(b, j.rows)
			b = appendFP64(append(b, `,"data":`...), j.lo)
		case OutUpper:
			b = append(b, `,"datatype":"FP64","shape":`...)
			b = appendShape(b, j.rows)
			b = appendFP64(append(b, `,"data":`...), j.hi)
		case OutOutlier:
			b = append(b, `,"datatype":"BOOL","shape":`...)
			b = appendShape(b, j.rows)
			flags := make([]bool, j.rows)
			for r, e := range j.e {
				flags[r] = m.Calibration.Outlier(e)
			}
			b = appendBools(append(b, `,"data":`...), flags)
		case OutScore:
			b = append(b, `,"datatype":"FP32","shape":`...)
			b = appendShape(b, j.rows, m.dim)
			b = appendFP32(append(b, `,"data":`...), j.s)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
