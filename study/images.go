package study

import (
	"slices"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hypermodels"
)

// maxImageSide bounds data.image_size: larger images would not fit the
// trainer's memory at any useful count.
const maxImageSide = 4096

// checkImages checks the images format's keys and fills their defaults.
func (s *Study) checkImages() error {
	d := &s.Data
	if s.Task == hypermodels.Regression {
		return errorf(s.line("task"), "task regression does not fit the images data, whose labels are classes")
	}
	if d.ImageSize == nil {
		d.ImageSize = []int{28, 28}
	}
	if len(d.ImageSize) != 2 || d.ImageSize[0] < 1 || d.ImageSize[1] < 1 ||
		d.ImageSize[0] > maxImageSide || d.ImageSize[1] > maxImageSide {
		return errorf(s.line("data", "image_size"), "data.image_size %v: want [height, width], each 1 to %d", d.ImageSize, maxImageSide)
	}
	if d.Channels == 0 {
		d.Channels = 1
	}
	if d.Channels != 1 && d.Channels != 3 {
		return errorf(s.line("data", "channels"), "data.channels is %d, want 1 (grey) or 3 (RGB)", d.Channels)
	}
	for i, c := range d.ClassNames {
		if slices.Contains(d.ClassNames[:i], c) {
			return errorf(s.line("data", "class_names"), "data.class_names lists %q twice", c)
		}
	}
	if s.Task == hypermodels.Binary && d.ClassNames != nil && len(d.ClassNames) != 2 {
		return errorf(s.line("data", "class_names"), "task binary needs 2 data.class_names, not %d", len(d.ClassNames))
	}
	return nil
}

// readImages reads an image folder of the study's layout; classes, when
// not nil, fixes the class ids (those of the training folder).
func (s *Study) readImages(dir, key string, classes []string) (*part, error) {
	d := &s.Data
	im, err := data.LoadImageDirectory(dir, data.ImageOptions{
		Height: d.ImageSize[0], Width: d.ImageSize[1], Channels: d.Channels,
		Seed: uint64(s.Seed), Classes: classes,
	})
	if err != nil {
		return nil, wrapf(s.line("data", key), err, "")
	}
	if s.Task == hypermodels.Binary && len(im.Classes) != 2 {
		return nil, &Error{Line: s.line("data", key), Err: ErrData,
			Msg: "task binary needs 2 class folders, " + dir + " has " + orList(im.Classes)}
	}
	return &part{x: im.TrainX, y: im.TrainY, shape: im.Shape, classNames: im.Classes}, nil
}
