// Package hypermodels holds the built-in hypermodels: ready-made
// tuner.HyperModel types for the common tasks, usable from Go as they are
// and by name from a study file (model: mlp).
//
//	hm := &hypermodels.MLP{
//		Task:       hypermodels.Classification,
//		InputShape: []int{28, 28},
//		Classes:    10,
//		Tune: []hp.Param{
//			{Name: "n_hidden", Kind: hp.KindInt, Min: 1, Max: 4},
//			{Name: "learning_rate", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-2, Sampling: hp.Log},
//		},
//	}
//	t, err := tuner.New(&tuner.Training{HyperModel: hm, X: x, Y: y, Config: cfg}, opts)
//
// The types are MLP (a multilayer perceptron) and WideDeep (Wide & Deep),
// one per file; Lookup finds one by its study-file name.
//
// # Rules
//
// Every type follows the same rules, so that a new one (a CNN, say) reads
// like the others:
//
//   - It is configured by exported fields: Task, InputShape, Classes, and
//     Tune, the definitions (hp.Param) of the hyperparameters to search or
//     fix. A hyperparameter not in Tune takes its Default and is not
//     registered, so it is not part of the search space.
//
//   - Its hyperparameters are described by a []Hyperparameter list (name,
//     value type, default, allowed values) in the order Build registers
//     them; Hyperparameter.Convert checks a definition against it, which
//     is how the study file is validated without building a model.
//
//   - The Task decides the output layer, the loss and the metrics:
//
//     classification  Dense(Classes, softmax)  sparse_categorical_crossentropy  accuracy
//     binary          Dense(1, sigmoid)        binary_crossentropy              accuracy
//     regression      Dense(1, linear)         mse                              rmse, mae
//
//   - Build returns a compiled model; the tuner initialises its weights
//     from the trial's seed afterwards, so Build draws nothing at random.
//
//   - Fit trains with the tuner's settings, and the trial's batch_size
//     when the hypermodel tunes it.
//
//   - Errors about the configuration wrap ErrConfig; errors about a
//     definition that does not fit wrap ErrDefinition; errors from hp
//     (a bad definition) are hp's, naming the hyperparameter.
package hypermodels
