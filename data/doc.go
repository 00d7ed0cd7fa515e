// Package data loads, generates and prepares datasets for tune's trainer
// (package nn): IDX and CSV readers, synthetic datasets, train/test splits,
// scalers, one-hot encoding, and loaders for the benchmark datasets
// (Fashion-MNIST, California housing).
//
// # Shapes
//
// Every dataset is a pair of *nn.Matrix values with one sample per row: x is
// rows×features (images flattened row-major), y is rows×1 holding either a
// regression target or a class id 0..k-1 stored as a float32. OneHot turns
// class ids into rows×k indicator rows.
//
// # IDX
//
// ReadIDX decodes the IDX format of MNIST and Fashion-MNIST: gzip is detected
// by its magic bytes, only unsigned-byte data (type 0x08) is supported, with
// any number of dimensions. The header's sizes must match the data exactly;
// memory is allocated as data arrives, so a hostile header is an error, not
// a huge allocation. LoadIDXImages scales pixels to [0, 1] (pixel/255).
//
// # CSV
//
// LoadCSV and LoadCSVFile read numeric CSV through encoding/csv, configured
// by CSVOptions whose zero value means: comma-separated, no header, no
// comments, target in column 0 (TargetIndex counts from 0; -1 is the last
// column), numeric target. Every record must have as many fields as the
// first; fields are trimmed of surrounding white space; empty fields,
// non-numbers, NaN, infinities and values outside the float32 range are
// errors. Errors in the input are *ParseError values, which read like
//
//	housing.csv:12:3: field "rooms": "abc" is not a number
//
// where 12 is the line and 3 the 1-based column (field) number. A field
// quoted in a message is cut to 40 characters (QuoteCut). Without a header
// the columns are named by their 0-based index, "0", "1", …, and Target and
// Columns may use those names; Table.Lines keeps each row's line so that a
// later check of a row can name it.
//
// # Splits
//
// Holdout divides a dataset into training, validation and test sets. By
// default the held-out rows are drawn at random with the given seed, and
// with HoldoutOptions.ClassLabels (classification) the draw is stratified:
// every set keeps each class's share, so a file sorted by class still gets
// every class in every set. Positional takes the last rows instead, what
// Keras' validation_split does (SplitLast does the same for a row count).
// Holdout, and CheckClasses for sets read from separate files, report a
// held-out set holding a single class or a class absent from training as a
// ClassWarning naming the counts, for the caller to print.
//
// # Target scaling
//
// FitTarget fits a TargetScaler (none, minmax or standard) on a regression
// target: a model trains on the scaled target, InverseTransform turns its
// predictions back into the target's units, and Unscale converts a metric
// computed on the scaled target (mse, mae, rmse, and the loss when it is
// one of those) into the target's units.
//
// # What a project keeps
//
// A Profile is what a project keeps of its data, as JSON: the input shape,
// the classes and their names, the feature columns, and the fitted
// scalers, a FeatureScaler (FitFeatures: none, standard or minmax, in a
// form that can also become an nn Normalization layer inside a model) and
// a TargetScaler. It is enough to rebuild a trial's model and prepare new
// inputs for it without the training files.
//
// # Errors
//
// Messages carry no "data: " prefix, like encoding/csv's: they name the
// file (and row and column) themselves, so a caller adds its own context
// once. Anything a caller or an input file can get wrong is an error, never a
// panic: errors wrap a sentinel from this package (errors.Is) and name the
// file, line, column, row or option at fault. The synthetic generators
// Spirals and Blobs, whose arguments are constants in code, panic on
// impossible arguments (negative counts), as documented.
//
// # Determinism
//
// Spirals, Blobs, Split and Holdout take a seed and give the same result for the same
// arguments on every run. The package draws raw numbers from PCG
// (math/rand/v2) and derives everything else itself, so results do not
// depend on the standard library's sampling algorithms.
//
// # Numerics
//
// Matrices are float32 (nn.Matrix); statistics (scaler means, deviations,
// derived features) are accumulated in float64 and rounded once.
//
// # Datasets
//
// FashionMNIST and CaliforniaHousing read the published files from a
// directory or path the caller chooses; DefaultDataDir returns
// $TUNE_DATA_DIR (or "") as a conventional root holding fashion-mnist/ and
// california-housing/. The loaders never touch the network: Downloader
// (and `tune data get NAME`) fetches the published files into such a
// directory and verifies their SHA-256.
package data
