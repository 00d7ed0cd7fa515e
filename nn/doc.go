// Package nn is a small Keras-like neural-network trainer in float32: a
// Sequential model of Input, Flatten and Dense layers, compiled with a loss,
// metrics and an optimizer, trained with Fit and used with Evaluate and
// Predict.
//
//	m := nn.NewSequential(
//		nn.Input(28, 28),
//		nn.Flatten(),
//		nn.Dense(300, nn.ReLU),
//		nn.Dense(10, nn.Softmax),
//	)
//	err := m.Compile(nn.CompileConfig{
//		Loss:      "sparse_categorical_crossentropy",
//		Optimizer: &nn.Adam{},
//		Metrics:   []string{"accuracy"},
//	})
//	hist, err := m.Fit(ctx, x, y, nn.FitConfig{Epochs: 10, ValidationSplit: 0.1})
//
// The package knows nothing about hyperparameter tuning and is usable alone.
// Its rules:
//
//   - Data are Matrix values, one sample per row, stored row-major in
//     float32. Shaped inputs are stored flattened; Input records the shape.
//     Targets are one column per output, or one column of class indices for
//     sparse_categorical_crossentropy.
//   - Names follow Keras: activations, losses, metrics, optimizer defaults,
//     glorot_uniform initialisation, fit semantics (epochs, initial epoch,
//     validation split, stop_training, callbacks) and EarlyStopping.
//   - Errors, never panics, for anything a caller can cause: unknown names,
//     bad settings, data that do not match the model, corrupt weight bytes.
//     Every such error wraps a sentinel of errors.go and reads "nn: ...".
//     Panics (prefixed "nn: ") only signal a bug inside the package, such as
//     a kernel called with slices that do not match its dimensions.
//   - Deterministic: weights are a function of CompileConfig.Seed, shuffles
//     of FitConfig.Seed and the epoch index; training is single-threaded and
//     the same inputs give bit-identical weights and History.
//   - No allocation per batch: each layer owns its activation and gradient
//     buffers and the optimizer its state, sized once for the batch and
//     reused (a shorter last batch uses a prefix).
//   - Every matrix product goes through one function, gemm in gemm.go, so
//     that faster kernels can replace it in one place.
//   - Cross-entropy after the matching output activation (softmax,
//     sigmoid) is computed from the pre-activations (log-sum-exp) and its
//     gradient as a − y, which is exact and stable.
//   - A Model is used by one goroutine at a time (StopTraining excepted);
//     models share nothing mutable, so many can train concurrently.
package nn
