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

// DataInfo is what a project keeps of its data: enough to rebuild a
// trial's model and to prepare new inputs for it without the training
// files.
type DataInfo struct {
	// InputShape is the shape of one sample.
	InputShape []int `json:"input_shape"`
	// Classes is the number of classes (0 for regression).
	Classes int `json:"classes,omitempty"`
	// ClassNames are the csv labels of a string_labels study, by class id.
	ClassNames []string `json:"class_names,omitempty"`
	// Features names the csv feature columns, when the file has a header.
	Features []string `json:"features,omitempty"`
	// TrainRows and ValidationRows count the rows of the two parts.
	TrainRows      int `json:"train_rows"`
	ValidationRows int `json:"validation_rows,omitempty"`
	// Scaler is the scaling fitted on the training rows, nil for none.
	Scaler *Scaler `json:"scaler,omitempty"`
	// Target is the regression target's scaling, nil for none: the
	// models predict scaled values, Target.InverseTransform gives them in
	// the target's units.
	Target *data.TargetScaler `json:"target_scaler,omitempty"`
}

// Info returns what a project keeps of d.
func (d *Dataset) Info() *DataInfo {
	info := &DataInfo{
		InputShape: slices.Clone(d.InputShape),
		Classes:    d.Classes,
		ClassNames: slices.Clone(d.ClassNames),
		Features:   slices.Clone(d.Features),
		Scaler:     d.Scaler,
		Target:     d.Target,
	}
	if d.X != nil {
		info.TrainRows = d.X.Rows
	}
	if d.ValidationX != nil {
		info.ValidationRows = d.ValidationX.Rows
	}
	return info
}

// Scaler is a fitted feature scaling, x' = (x − Offset) / Divisor for
// every column: the mean and standard deviation for standard scaling, the
// minimum and range for minmax (a constant column has Divisor 1).
type Scaler struct {
	Kind    string    `json:"kind"` // standard or minmax
	Offset  []float64 `json:"offset"`
	Divisor []float64 `json:"divisor"`
}

// fitScaler fits a scaler of kind (none, standard or minmax) on x; nil for
// none.
func fitScaler(kind string, x *nn.Matrix) (*Scaler, error) {
	switch kind {
	case "standard":
		var sc data.StandardScaler
		if err := sc.Fit(x); err != nil {
			return nil, err
		}
		return &Scaler{Kind: kind, Offset: sc.Mean, Divisor: sc.Scale}, nil
	case "minmax":
		var sc data.MinMaxScaler
		if err := sc.Fit(x); err != nil {
			return nil, err
		}
		div := make([]float64, len(sc.Min))
		for j := range div {
			div[j] = sc.Max[j] - sc.Min[j]
			if !(div[j] > 0) {
				div[j] = 1
			}
		}
		return &Scaler{Kind: kind, Offset: sc.Min, Divisor: div}, nil
	}
	return nil, nil
}

// FitScaler fits the study's scaling (data.scale) on x; nil when the study
// does not scale.
func (s *Study) FitScaler(x *nn.Matrix) (*Scaler, error) {
	sc, err := fitScaler(s.Data.Scale, x)
	if err != nil {
		return nil, wrapf(s.line("data", "scale"), err, "data.scale %s", s.Data.Scale)
	}
	return sc, nil
}

// Transform returns x scaled. A nil Scaler returns x itself.
func (s *Scaler) Transform(x *nn.Matrix) (*nn.Matrix, error) {
	if s == nil {
		return x, nil
	}
	if x.Cols != len(s.Offset) || len(s.Divisor) != len(s.Offset) {
		return nil, fmt.Errorf("study: the scaler was fitted on %d columns, the data have %d", len(s.Offset), x.Cols)
	}
	sc := data.StandardScaler{Mean: s.Offset, Scale: s.Divisor}
	return sc.Transform(x)
}

// Normalization returns an nn Normalization layer that scales as s does,
// to put the scaling inside a model. A nil Scaler returns nil.
func (s *Scaler) Normalization() (*nn.NormalizationLayer, error) {
	if s == nil {
		return nil, nil
	}
	mean := make([]float32, len(s.Offset))
	variance := make([]float32, len(s.Divisor))
	for j := range mean {
		mean[j] = float32(s.Offset[j])
		variance[j] = float32(s.Divisor[j] * s.Divisor[j])
	}
	l := nn.Normalization(nn.Name("scaling"))
	if err := l.SetStatistics(mean, variance); err != nil {
		return nil, err
	}
	return l, nil
}

// storedConfig is what a project keeps of the study file that made it
// (tuner.Options.Config, stored as trials.Study.Config).
type storedConfig struct {
	File string    `json:"file"`           // the name the study was loaded as
	Path string    `json:"path,omitempty"` // its absolute path, for relative paths
	YAML string    `json:"yaml"`
	Data *DataInfo `json:"data,omitempty"`
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

// FromConfig reads back the study kept with a project (trials.Study.Config,
// as Options stores it) and what it knew about the data; info is nil when
// the search never loaded the data. Relative paths resolve against the
// study file's original directory.
func FromConfig(config json.RawMessage) (s *Study, info *DataInfo, err error) {
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
