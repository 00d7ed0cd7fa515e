package live

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// The protocol: HTTP/1.1 GET requests on the socket, answered with JSON
// (a checkpoint: its bytes), and one POST, which queues the values in its
// body. A failed request answers with a non-2xx status and an errorBody.
const (
	pathStudy      = "/v1/study"
	pathTrials     = "/v1/trials"
	pathTrial      = "/v1/trials/" // + id
	pathCheckpoint = "/v1/checkpoints/"
	pathVersion    = "/v1/version"
	pathQueue      = "/v1/queue" // GET: the queued values; POST: queue one more
)

// maxQueuedBody bounds the body of a POST to pathQueue: one trial's values.
const maxQueuedBody = 1 << 20

// errorBody is a failed read: what went wrong (Message, the store's own
// error text, for people) and which sentinel it wraps (Kind, for code).
type errorBody struct {
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message"`
}

// kinds names the trials sentinels an error can carry across the socket.
var kinds = []struct {
	name string
	err  error
}{
	{"no_study", trials.ErrNoStudy},
	{"no_trial", trials.ErrNoTrial},
	{"no_checkpoint", trials.ErrNoCheckpoint},
	{"corrupt", trials.ErrCorrupt},
	{"damaged", trials.ErrDamaged},
	{"schema", trials.ErrSchema},
	{"read_only", trials.ErrReadOnly},
	{"unsupported", errors.ErrUnsupported},
}

// kindOf names the sentinel err wraps ("" for none).
func kindOf(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return ""
}

// RemoteError is a read that failed in the serving process. Its text is
// that process's error; it wraps the same trials sentinel the error there
// wrapped, if any.
type RemoteError struct {
	Message string
	Kind    error // a trials sentinel, or nil
}

func (e *RemoteError) Error() string { return e.Message }
func (e *RemoteError) Unwrap() error { return e.Kind }

// decodeError reads an errorBody. An unknown kind is kept as no kind:
// a newer server may know more.
func decodeError(data []byte) (*RemoteError, error) {
	var b errorBody
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%w: error body: %w", ErrProtocol, err)
	}
	if b.Message == "" {
		return nil, fmt.Errorf("%w: error body without a message", ErrProtocol)
	}
	e := &RemoteError{Message: b.Message}
	for _, k := range kinds {
		if k.name == b.Kind {
			e.Kind = k.err
		}
	}
	return e, nil
}

// decodeTrials reads the answer to pathTrials: a JSON array of trials,
// each as trials.DecodeTrial reads one (decoded here in one pass, which
// costs half of decoding each element again), in ascending id order.
func decodeTrials(data []byte) ([]*trials.Trial, error) {
	var out []*trials.Trial
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%w: trials: %w", ErrProtocol, err)
	}
	for i, t := range out {
		switch {
		case t == nil:
			return nil, fmt.Errorf("%w: trial %d of the answer is null", ErrProtocol, i+1)
		case t.ID < 1:
			return nil, fmt.Errorf("%w: trial id %d is not positive", ErrProtocol, t.ID)
		case t.Status != trials.Pending && t.Status != trials.Running && !t.Status.Final():
			return nil, fmt.Errorf("%w: trial %d: unknown status %q", ErrProtocol, t.ID, t.Status)
		case i > 0 && t.ID <= out[i-1].ID:
			return nil, fmt.Errorf("%w: trial %d follows trial %d", ErrProtocol, t.ID, out[i-1].ID)
		}
	}
	if out == nil {
		out = []*trials.Trial{}
	}
	return out, nil
}

// decodeTrial reads the answer to pathTrial for trial id.
func decodeTrial(data []byte, id int) (*trials.Trial, error) {
	t, err := trials.DecodeTrial(data)
	if err != nil {
		return nil, fmt.Errorf("%w: trial %d: %w", ErrProtocol, id, err)
	}
	if t.ID != id {
		return nil, fmt.Errorf("%w: asked for trial %d, got trial %d", ErrProtocol, id, t.ID)
	}
	return t, nil
}

// decodeStudy reads the answer to pathStudy.
func decodeStudy(data []byte) (*trials.StudyRecord, error) {
	s, err := trials.DecodeStudy(data)
	if err != nil {
		return nil, fmt.Errorf("%w: study: %w", ErrProtocol, err)
	}
	return s, nil
}

// versionBody is the answer to pathVersion.
type versionBody struct {
	Version *uint64 `json:"version"`
}

func decodeVersion(data []byte) (uint64, error) {
	var b versionBody
	if err := json.Unmarshal(data, &b); err != nil {
		return 0, fmt.Errorf("%w: version: %w", ErrProtocol, err)
	}
	if b.Version == nil {
		return 0, fmt.Errorf("%w: version missing", ErrProtocol)
	}
	return *b.Version, nil
}

// decodeQueued reads the answer to a GET of pathQueue: a JSON array of
// values, oldest first.
func decodeQueued(data []byte) ([]hp.Values, error) {
	var out []hp.Values
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%w: queued values: %w", ErrProtocol, err)
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("%w: queued values %d are null", ErrProtocol, i+1)
		}
	}
	return out, nil
}

// decodeEnqueue reads the body of a POST to pathQueue: one JSON object of
// values.
func decodeEnqueue(data []byte) (hp.Values, error) {
	var v hp.Values
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: values to queue: %w", ErrProtocol, err)
	}
	if v == nil {
		return nil, fmt.Errorf("%w: values to queue are null", ErrProtocol)
	}
	return v, nil
}
