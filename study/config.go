package study

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
)

// Profile returns what a project keeps of d.
func (d *LoadedData) Profile() *data.Profile {
	p := &data.Profile{
		InputShape: slices.Clone(d.InputShape),
		Classes:    d.Classes,
		ClassNames: slices.Clone(d.ClassNames),
		Features:   slices.Clone(d.Features),
		Scaler:     d.Scaler,
		Target:     d.Target,
	}
	if d.X != nil {
		p.TrainRows = d.X.Rows
	}
	if d.ValidationX != nil {
		p.ValidationRows = d.ValidationX.Rows
	}
	return p
}

// FitScaler fits the study's scaling (data.scale) on x; nil when the study
// does not scale.
func (s *Study) FitScaler(x *nn.Matrix) (*data.FeatureScaler, error) {
	sc, err := data.FitFeatures(s.Data.Scale, x)
	if err != nil {
		return nil, wrapf(s.line("data", "scale"), err, "data.scale %s", s.Data.Scale)
	}
	return sc, nil
}

// storedConfig is what a project keeps of the study file that made it
// (tuner.Options.Config, stored as trials.StudyRecord.Config).
type storedConfig struct {
	File string        `json:"file"`           // the name the study was loaded as
	Path string        `json:"path,omitempty"` // its absolute path, for relative paths
	YAML string        `json:"yaml"`
	Data *data.Profile `json:"data,omitempty"`
}

func (s *Study) storedConfig() (json.RawMessage, error) {
	c := storedConfig{File: s.File, YAML: string(s.source), Data: s.info}
	if abs, err := filepath.Abs(s.File); err == nil {
		c.Path = abs
	}
	return json.Marshal(c)
}

// ErrNoConfig is returned by FromConfig for a project that no study file
// made (a Go program's).
var ErrNoConfig = errors.New("the project was not made from a study file")

// FromConfig reads back the study kept with a project (trials.StudyRecord.Config,
// as Options stores it) and what it knew about the data; info is nil when
// the search never loaded the data. Relative paths resolve against the
// study file's original directory.
func FromConfig(config json.RawMessage) (s *Study, info *data.Profile, err error) {
	if len(config) == 0 {
		return nil, nil, ErrNoConfig
	}
	var c storedConfig
	if err := json.Unmarshal(config, &c); err != nil || c.YAML == "" {
		return nil, nil, fmt.Errorf("%w (its configuration is not a stored study file)", ErrNoConfig)
	}
	name := c.Path
	if name == "" {
		name = c.File
	}
	s, err = Parse([]byte(c.YAML), name)
	if err != nil {
		return nil, nil, fmt.Errorf("the project's stored study file: %w", err)
	}
	if c.Path != "" {
		s.File = c.File
	}
	s.info = c.Data
	return s, c.Data, nil
}
