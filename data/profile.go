package data

// Profile is what a project keeps of its data: enough to rebuild a
// trial's model and to prepare new inputs for it without the training
// files. It is kept as JSON with the project; the keys are stable, so an
// older project's profile reads unchanged.
type Profile struct {
	// InputShape is the shape of one sample: [28 28] for images,
	// [features] for a table.
	InputShape []int `json:"input_shape"`
	// Classes is the number of classes (0 for regression).
	Classes int `json:"classes,omitempty"`
	// ClassNames are the string labels by class id (a csv target read as
	// names), nil otherwise.
	ClassNames []string `json:"class_names,omitempty"`
	// Features names the feature columns, when the file has a header.
	Features []string `json:"features,omitempty"`
	// TrainRows and ValidationRows count the rows of the two parts.
	TrainRows      int `json:"train_rows"`
	ValidationRows int `json:"validation_rows,omitempty"`
	// Scaler is the feature scaling fitted on the training rows, nil for
	// none: new inputs go through Scaler.Transform.
	Scaler *FeatureScaler `json:"scaler,omitempty"`
	// Target is the regression target's scaling, nil for none: the
	// models predict scaled values, Target.InverseTransform gives them in
	// the target's units.
	Target *TargetScaler `json:"target_scaler,omitempty"`
}

// Width is the number of values in one sample, the product of InputShape.
func (p *Profile) Width() int {
	w := 1
	for _, d := range p.InputShape {
		w *= d
	}
	return w
}
