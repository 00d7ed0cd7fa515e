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
// where 12 is the line and 3 the 1-based column (field) number.
//
// # Errors
//
// Anything a caller or an input file can get wrong is an error, never a
// panic: errors wrap a sentinel from this package (errors.Is) and name the
// file, line, column, row or option at fault. The synthetic generators
// Spirals and Blobs, whose arguments are constants in code, panic on
// impossible arguments (negative counts), as documented.
//
// # Determinism
//
// Spirals, Blobs and Split take a seed and give the same result for the same
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
