package trials

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/tunekit/tune/hp"
)

// Metric values and scores may be NaN or infinite (a diverging loss), which
// JSON numbers cannot hold. They are written as the strings "NaN", "+Inf"
// and "-Inf"; every finite value is a JSON number.

// jsonFloat is a float64 that survives JSON when it is not finite.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(v)
}

func (f *jsonFloat) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		switch s {
		case "NaN":
			*f = jsonFloat(math.NaN())
		case "+Inf", "Inf":
			*f = jsonFloat(math.Inf(1))
		case "-Inf":
			*f = jsonFloat(math.Inf(-1))
		default:
			return fmt.Errorf("number %q is not a number", s)
		}
		return nil
	}
	if string(data) == "null" {
		return errors.New("number is null")
	}
	// The decoder calling this has checked that data is a JSON number,
	// which ParseFloat reads as encoding/json does (out of range is an
	// error in both); it costs no second scan of data.
	v, err := strconv.ParseFloat(string(data), 64)
	if err != nil {
		return fmt.Errorf("number %s: %w", data, err)
	}
	*f = jsonFloat(v)
	return nil
}

func toJSONFloats(m map[string]float64) map[string]jsonFloat {
	if m == nil {
		return nil
	}
	out := make(map[string]jsonFloat, len(m))
	for k, v := range m {
		out[k] = jsonFloat(v)
	}
	return out
}

func fromJSONFloats(m map[string]jsonFloat) map[string]float64 {
	if m == nil {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}

// Epoch and Trial encode themselves through an alias of their own type
// (which has every field and no methods) with the float fields shadowed by
// JSON-safe ones. No field list is repeated here: a field added to Trial is
// stored as its tag says (TestTrialFieldsRoundTrip checks every one).

type epochAlias Epoch

type epochJSON struct {
	*epochAlias
	Metrics map[string]jsonFloat `json:"metrics"`
}

// MarshalJSON writes e with non-finite metrics as "NaN", "+Inf" or "-Inf",
// as json.Marshal would write epochJSON (see AppendJSON).
func (e Epoch) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(nil), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Epoch) UnmarshalJSON(data []byte) error {
	var d epochDecoder
	return d.decode(data, e)
}

type trialAlias Trial

type trialJSON struct {
	*trialAlias
	Score   *jsonFloat           `json:"score,omitempty"`
	Metrics map[string]jsonFloat `json:"metrics,omitempty"`
}

// MarshalJSON writes t with non-finite scores and metrics as "NaN", "+Inf"
// or "-Inf", and typed hyperparameter values (see hp.Values).
func (t Trial) MarshalJSON() ([]byte, error) {
	j := trialJSON{trialAlias: (*trialAlias)(&t), Metrics: toJSONFloats(t.Metrics)}
	if t.Score != nil {
		s := jsonFloat(*t.Score)
		j.Score = &s
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes. Values is never nil, and
// empty History and Metrics are nil, so that decoding is stable.
func (t *Trial) UnmarshalJSON(data []byte) error {
	var d Trial
	j := trialJSON{trialAlias: (*trialAlias)(&d)}
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	d.Metrics = fromJSONFloats(j.Metrics)
	if j.Score != nil {
		s := float64(*j.Score)
		d.Score = &s
	}
	if d.Values == nil {
		d.Values = hp.Values{}
	}
	if len(d.History) == 0 {
		d.History = nil
	}
	if len(d.Metrics) == 0 {
		d.Metrics = nil
	}
	*t = d
	return nil
}

// validStatus reports whether s is one of the defined statuses.
func validStatus(s Status) bool {
	return s == Pending || s == Running || s.Final()
}

// DecodeTrial decodes and checks one stored trial record: JSON as Trial's
// MarshalJSON writes it, with an id of at least 1 and a known status.
// Whatever it accepts encodes (json.Marshal) and decodes back to an equal
// trial.
func DecodeTrial(data []byte) (*Trial, error) {
	var t Trial
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	if t.ID < 1 {
		return nil, fmt.Errorf("trial id %d is not positive", t.ID)
	}
	if !validStatus(t.Status) {
		return nil, fmt.Errorf("trial %d: unknown status %q", t.ID, t.Status)
	}
	if err := checkEpochs(&t); err != nil {
		return nil, err
	}
	return &t, nil
}

// encodeTrial is the inverse of DecodeTrial.
func encodeTrial(t *Trial) ([]byte, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("trial %d: encoding: %w", t.ID, err)
	}
	return b, nil
}

// DecodeStudy decodes one stored study definition. Raw JSON fields are
// compacted, and a JSON null in them is dropped, so that decoding is
// stable: whatever it accepts encodes and decodes back to an equal study.
func DecodeStudy(data []byte) (*StudyRecord, error) {
	var s StudyRecord
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	var err error
	if s.OracleConfig, err = compactRaw(s.OracleConfig); err != nil {
		return nil, fmt.Errorf("oracle_config: %w", err)
	}
	if s.Config, err = compactRaw(s.Config); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s.WarmStart.normalize()
	return &s, nil
}

// compactRaw returns r as json.Marshal writes a RawMessage: compact, with
// <, > and & escaped in strings. A JSON null is dropped.
func compactRaw(r json.RawMessage) (json.RawMessage, error) {
	if r == nil {
		return nil, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return b, nil
}

func encodeStudy(s *StudyRecord) ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encoding study: %w", err)
	}
	return b, nil
}
