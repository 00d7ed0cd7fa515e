package data

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Dataset is a downloadable dataset: its files and where they come from.
//
// A Downloader keeps a dataset's files in the directory Name under its cache
// directory, so a cache laid out by Downloader is also a data root as
// DefaultDataDir describes (fashion-mnist/, california-housing/, mnist/).
type Dataset struct {
	Name  string // lower case, e.g. "fashion-mnist"; also its directory in the cache
	Title string // one line: what it is and who publishes it
	Files []File
}

// File is one file of a Dataset, checked by its size and SHA-256.
//
// When Member is empty, URL serves the file itself. When Member is set, URL
// serves a gzip-compressed tar archive and the file is that archive's member
// Member, extracted as Name; Size and SHA256 are then those of the extracted
// member (the archive itself is streamed, not kept, and its own checksum is
// not needed: what is verified is what is stored).
type File struct {
	Name    string   // file name in the dataset's directory
	URL     string   // canonical address
	Mirrors []string // other addresses serving the same bytes, tried in order when URL cannot be fetched
	SHA256  string   // lower-case hex SHA-256 of the file as stored
	Size    int64    // size in bytes of the file as stored (required)
	Member  string   // if not "": URL is a .tar.gz archive and the file is this member of it
}

// ArchiveName returns the name under which the archive of a File with a
// Member is looked for in the dataset's directory (the last element of URL's
// path, such as "cal_housing.tgz"), or "" when the File is not an archive
// member. An archive placed there by hand is extracted instead of
// downloading it.
func (f File) ArchiveName() string {
	if f.Member == "" {
		return ""
	}
	u := f.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	name := path.Base(u)
	if name == "." || name == "/" || name == "" {
		return f.Name + ".tar.gz"
	}
	return name
}

// Size returns the total size of the dataset's files, in bytes.
func (d Dataset) Size() int64 {
	var n int64
	for _, f := range d.Files {
		n += f.Size
	}
	return n
}

func (d Dataset) clone() Dataset {
	d.Files = slices.Clone(d.Files)
	for i := range d.Files {
		d.Files[i].Mirrors = slices.Clone(d.Files[i].Mirrors)
	}
	return d
}

// Canonical addresses of the registry's files.
const (
	// fashionMNISTBase is Zalando's download host for Fashion-MNIST (the
	// address in zalandoresearch/fashion-mnist's README and torchvision's).
	// It is an S3 website endpoint, which serves plain HTTP only; the SHA-256
	// check is what makes the download trustworthy.
	fashionMNISTBase = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

	// mnistBase is the MNIST mirror torchvision downloads from (Yann LeCun's
	// original site no longer serves the files reliably); mnistMirror is the
	// one TensorFlow uses. Both serve the original files byte for byte.
	mnistBase   = "https://ossci-datasets.s3.amazonaws.com/mnist/"
	mnistMirror = "https://storage.googleapis.com/cvdf-datasets/mnist/"

	// calHousingURL is Luís Torgo's copy of the StatLib California housing
	// archive (the "original data" named in scikit-learn's source);
	// calHousingMirror is the Figshare copy that scikit-learn's
	// fetch_california_housing actually downloads.
	calHousingURL    = "https://www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.tgz"
	calHousingMirror = "https://ndownloader.figshare.com/files/5976036"
)

// registry is the built-in list of datasets, sorted by name. Provenance of
// every checksum:
//
//   - fashion-mnist: sizes and SHA-256 of Zalando's published files, as listed
//     in the project's shared data README (whose MD5s match the ones in
//     Zalando's README) and checked against those files by
//     TestRegistryMatchesSharedData; the same SHA-256 values, for the same
//     address, are pinned by ankane/torchvision-ruby.
//   - mnist: the sizes from Yann LeCun's MNIST page; the SHA-256 values are
//     the ones independent projects pin for these files (among them
//     torchvision's Ruby port ankane/torchvision-ruby, lib/torchvision/
//     datasets/mnist.rb; nixpkgs' recipe for tensorflow/haskell's
//     tensorflow-mnist-input-data, haskell-modules/
//     configuration-tensorflow.nix; Guild AI's mnist package), the same for
//     the ossci-datasets and cvdf-datasets mirrors and for yann.lecun.com.
//     They are not checked against a local copy here (the shared data has
//     no MNIST); a wrong value would show as a checksum error, never as a
//     wrong file.
//   - california-housing: size and SHA-256 of the extracted
//     CaliforniaHousing/cal_housing.data, from the shared data README and
//     checked against that file by TestRegistryMatchesSharedData. (The
//     Figshare archive scikit-learn downloads is 441,963 bytes with SHA-256
//     aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681 per
//     scikit-learn's source; it is not checked, since the dcc.fc.up.pt copy
//     need not be byte-identical and the member is what is kept.)
var registry = []Dataset{
	{
		Name:  "california-housing",
		Title: "California housing (Pace & Barry 1997, StatLib): 20,640 block groups, 8 features + median house value",
		Files: []File{{
			Name:    "cal_housing.data",
			URL:     calHousingURL,
			Mirrors: []string{calHousingMirror},
			Member:  "CaliforniaHousing/cal_housing.data",
			Size:    2_071_484,
			SHA256:  "a2b44dcc7e1c9091b43c4f458b25cbd1f7e8068d08edd26bc4703108d3fa6214",
		}},
	},
	{
		Name:  "fashion-mnist",
		Title: "Fashion-MNIST (Zalando Research): 60,000 + 10,000 28×28 grey images of 10 kinds of clothing",
		Files: []File{
			{Name: FashionMNISTTrainImages, URL: fashionMNISTBase + FashionMNISTTrainImages, Size: 26_421_880,
				SHA256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"},
			{Name: FashionMNISTTrainLabels, URL: fashionMNISTBase + FashionMNISTTrainLabels, Size: 29_515,
				SHA256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"},
			{Name: FashionMNISTTestImages, URL: fashionMNISTBase + FashionMNISTTestImages, Size: 4_422_102,
				SHA256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"},
			{Name: FashionMNISTTestLabels, URL: fashionMNISTBase + FashionMNISTTestLabels, Size: 5_148,
				SHA256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
		},
	},
	{
		Name:  "mnist",
		Title: "MNIST (LeCun, Cortes & Burges): 60,000 + 10,000 28×28 grey images of handwritten digits",
		Files: []File{
			{Name: "train-images-idx3-ubyte.gz", URL: mnistBase + "train-images-idx3-ubyte.gz",
				Mirrors: []string{mnistMirror + "train-images-idx3-ubyte.gz"}, Size: 9_912_422,
				SHA256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
			{Name: "train-labels-idx1-ubyte.gz", URL: mnistBase + "train-labels-idx1-ubyte.gz",
				Mirrors: []string{mnistMirror + "train-labels-idx1-ubyte.gz"}, Size: 28_881,
				SHA256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
			{Name: "t10k-images-idx3-ubyte.gz", URL: mnistBase + "t10k-images-idx3-ubyte.gz",
				Mirrors: []string{mnistMirror + "t10k-images-idx3-ubyte.gz"}, Size: 1_648_877,
				SHA256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
			{Name: "t10k-labels-idx1-ubyte.gz", URL: mnistBase + "t10k-labels-idx1-ubyte.gz",
				Mirrors: []string{mnistMirror + "t10k-labels-idx1-ubyte.gz"}, Size: 4_542,
				SHA256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
		},
	},
}

// Datasets returns the datasets Downloader knows, sorted by name: "mnist",
// "fashion-mnist" and "california-housing". The result is a copy.
func Datasets() []Dataset {
	out := make([]Dataset, len(registry))
	for i, d := range registry {
		out[i] = d.clone()
	}
	return out
}

// Lookup returns the built-in dataset called name. Names are matched
// ignoring case, with '_' taken as '-' ("Fashion_MNIST" is
// "fashion-mnist"). An unknown name is an error wrapping ErrUnknownDataset
// that lists the known names.
func Lookup(name string) (Dataset, error) { return lookupIn(registry, name) }

func lookupIn(list []Dataset, name string) (Dataset, error) {
	key := normalizeName(name)
	for _, d := range list {
		if normalizeName(d.Name) == key {
			return d.clone(), nil
		}
	}
	names := make([]string, len(list))
	for i, d := range list {
		names[i] = d.Name
	}
	slices.Sort(names)
	return Dataset{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownDataset, name, strings.Join(names, ", "))
}

func normalizeName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
}

// DefaultCacheDir returns the directory Downloader keeps datasets in when
// its Dir is empty: $TUNE_DATA_DIR if set (so that downloads land where
// DefaultDataDir looks), else the user cache directory's "tune"
// sub-directory (os.UserCacheDir: ~/.cache/tune on Linux,
// ~/Library/Caches/tune on macOS, %LocalAppData%\tune on Windows).
func DefaultCacheDir() (string, error) {
	if d := DefaultDataDir(); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for downloads (set %s): %w", DirEnv, err)
	}
	return filepath.Join(c, "tune"), nil
}

// validName reports whether s can be used as one path element.
func validName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`) && filepath.Base(s) == s
}

// ErrUnknownDataset: a dataset name that is not in the registry.
var ErrUnknownDataset = errors.New("unknown dataset")
