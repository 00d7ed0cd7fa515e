package data

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers the JPEG decoder
	_ "image/png"  // registers the PNG decoder
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/draw"

	"github.com/tunekit/tune/nn"
)

// ImageOptions says how LoadImageDirectory converts and splits images.
type ImageOptions struct {
	// Height and Width are the size every image is resized to (bilinear);
	// both default to 28.
	Height, Width int
	// Channels is 1 (grey, the default) or 3 (RGB); images are converted.
	Channels int
	// ValidationSplit is the fraction of the shuffled images held out as
	// validation data, in [0, 1); 0 holds out none.
	ValidationSplit float64
	// Seed seeds the shuffle that precedes the split.
	Seed uint64
	// Classes, if set, are the class names in class-id order, as Keras'
	// class_names: the subfolders read, whatever their order on disk. A
	// listed class without a subfolder has no images (a test folder may
	// lack one); a subfolder not listed is an ErrUnknownClass error. Read
	// a validation or test folder with the training folder's Classes so
	// that its labels mean the same classes.
	Classes []string
}

// Images is an image directory loaded as matrices: one image per row,
// channels-last (height, width, channels) and flattened, pixels scaled to
// [0, 1]; labels are class indices into Classes.
type Images struct {
	TrainX, TrainY *nn.Matrix
	ValidX, ValidY *nn.Matrix // nil without a validation split
	Classes        []string   // the subfolder names, sorted
	Shape          []int      // [Height, Width, Channels], the input of nn.Conv2D
}

// LoadImageDirectory reads an image data set laid out as Keras'
// image_dataset_from_directory expects: one subfolder of dir per class,
// named after it, holding PNG or JPEG files (by extension, case-blind;
// other files are ignored). Classes are the sorted subfolder names, or
// the options' Classes. Every
// image is converted to the options' size and channels; the images are
// shuffled with the seed and the last ValidationSplit of them held out.
// A file that does not decode is an ErrImage error naming it.
func LoadImageDirectory(dir string, o ImageOptions) (*Images, error) {
	if o.Height == 0 {
		o.Height = 28
	}
	if o.Width == 0 {
		o.Width = 28
	}
	if o.Channels == 0 {
		o.Channels = 1
	}
	if o.Height < 0 || o.Width < 0 || o.Height*o.Width > 1<<24 || (o.Channels != 1 && o.Channels != 3) ||
		!(o.ValidationSplit >= 0 && o.ValidationSplit < 1) {
		return nil, fmt.Errorf("%s: %w: size %d×%d, %d channels, validation split %v (want positive sizes, 1 or 3 channels, a split in [0, 1))",
			dir, ErrNoImages, o.Height, o.Width, o.Channels, o.ValidationSplit)
	}
	for i, c := range o.Classes {
		if slices.Contains(o.Classes[:i], c) {
			return nil, fmt.Errorf("%s: %w: class %q is listed twice", dir, ErrNoImages, c)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	type file struct {
		path  string
		class int
	}
	classes := slices.Clone(o.Classes)
	var files []file
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		class := slices.Index(classes, e.Name())
		switch {
		case class < 0 && o.Classes != nil:
			return nil, fmt.Errorf("%s: %w: folder %q is not one of the classes %q", dir, ErrUnknownClass, e.Name(), o.Classes)
		case class < 0:
			classes = append(classes, e.Name())
			class = len(classes) - 1
		}
		names, err := os.ReadDir(sub)
		if err != nil {
			return nil, err
		}
		for _, f := range names {
			if IsImageFile(f.Name()) && f.Type().IsRegular() {
				files = append(files, file{filepath.Join(sub, f.Name()), class})
			}
		}
	}
	if len(classes) == 0 || len(files) == 0 {
		return nil, fmt.Errorf("%s: %w: want one subfolder per class holding PNG or JPEG files", dir, ErrNoImages)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x696d616765)) // ReadDir sorts, so the order before the shuffle is fixed
	r.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })

	paths := make([]string, len(files))
	y := nn.NewMatrix(len(files), 1)
	for i, f := range files {
		paths[i], y.Data[i] = f.path, float32(f.class)
	}
	x, err := readImages(paths, o.Height, o.Width, o.Channels)
	if err != nil {
		return nil, err
	}
	im := &Images{Classes: classes, Shape: []int{o.Height, o.Width, o.Channels}, TrainX: x, TrainY: y}
	if nv := int(o.ValidationSplit * float64(len(files))); nv > 0 {
		im.TrainX, im.TrainY, im.ValidX, im.ValidY = x.Slice(0, len(files)-nv), y.Slice(0, len(files)-nv),
			x.Slice(len(files)-nv, len(files)), y.Slice(len(files)-nv, len(files))
	}
	return im, nil
}

// LoadImageFiles reads the PNG or JPEG images at paths, one per row in
// that order, resized (bilinear) to height × width and converted to
// channels (1, grey, or 3, RGB) as LoadImageDirectory does: the inputs of a
// model trained on an image directory. A file that does not decode is an
// error wrapping ErrImage that names it.
func LoadImageFiles(paths []string, height, width, channels int) (*nn.Matrix, error) {
	if height <= 0 || width <= 0 || height*width > 1<<24 || (channels != 1 && channels != 3) {
		return nil, fmt.Errorf("%w: size %d×%d, %d channels (want positive sizes, 1 or 3 channels)", ErrNoImages, height, width, channels)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no files given", ErrNoImages)
	}
	return readImages(paths, height, width, channels)
}

// ImageFiles lists the PNG and JPEG files in dir and its subfolders, in
// lexical order of their paths; a folder without any is an error wrapping
// ErrNoImages.
func ImageFiles(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && IsImageFile(d.Name()) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: %w: no PNG or JPEG file in it or its subfolders", dir, ErrNoImages)
	}
	return paths, nil // WalkDir visits in lexical order
}

// IsImageFile tells whether a file's name has a PNG or JPEG extension
// (.png, .jpg, .jpeg, in any case): the files the image readers take.
func IsImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// readImages decodes, resizes and converts the images at paths into the
// rows of a new matrix, pixels scaled to [0, 1], channels last.
func readImages(paths []string, height, width, channels int) (*nn.Matrix, error) {
	size := height * width * channels
	x := nn.NewMatrix(len(paths), size)
	dst := image.NewNRGBA(image.Rect(0, 0, width, height))
	for i, path := range paths {
		if err := decodeInto(path, dst); err != nil {
			return nil, err
		}
		row := x.Data[i*size : (i+1)*size]
		for p := range height * width {
			px := dst.Pix[4*p : 4*p+4]
			if channels == 1 {
				g := color.GrayModel.Convert(color.NRGBA{px[0], px[1], px[2], px[3]}).(color.Gray)
				row[p] = float32(g.Y) / 255
				continue
			}
			for c := range 3 {
				row[3*p+c] = float32(px[c]) / 255
			}
		}
	}
	return x, nil
}

// decodeInto decodes the image at path and scales it onto dst (bilinear).
func decodeInto(path string, dst *image.NRGBA) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w (%v)", path, ErrImage, err)
	}
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return nil
}
