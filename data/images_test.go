package data

import (
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/nn"
)

// writeImage writes a w×h image of one colour as PNG or JPEG.
func writeImage(t *testing.T, path string, w, h int, c color.Color) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if filepath.Ext(path) == ".png" {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 100})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func imageDir(t *testing.T) string {
	dir := t.TempDir()
	for _, class := range []string{"dark", "light"} {
		if err := os.Mkdir(filepath.Join(dir, class), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		writeImage(t, filepath.Join(dir, "dark", "d"+string(rune('0'+i))+".png"), 10+i, 7, color.RGBA{0, 0, 0, 255})
		writeImage(t, filepath.Join(dir, "light", "l"+string(rune('0'+i))+".JPG"), 5, 9+i, color.RGBA{255, 255, 255, 255})
	}
	os.WriteFile(filepath.Join(dir, "light", "notes.txt"), []byte("ignored"), 0o644)
	return dir
}

func TestLoadImageDirectory(t *testing.T) {
	dir := imageDir(t)
	im, err := LoadImageDirectory(dir, ImageOptions{Height: 4, Width: 3, Channels: 3, ValidationSplit: 0.2, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Classes) != 2 || im.Classes[0] != "dark" || im.Classes[1] != "light" {
		t.Fatalf("classes %v", im.Classes)
	}
	if im.TrainX.Rows != 8 || im.ValidX.Rows != 2 || im.TrainX.Cols != 36 || len(im.Shape) != 3 || im.Shape[2] != 3 {
		t.Fatalf("train %d×%d, valid %d, shape %v", im.TrainX.Rows, im.TrainX.Cols, im.ValidX.Rows, im.Shape)
	}
	count := [2]int{}
	for _, m := range [][2]*nn.Matrix{{im.TrainX, im.TrainY}, {im.ValidX, im.ValidY}} {
		x, y := m[0], m[1]
		for r := range x.Rows {
			class := int(y.Data[r])
			count[class]++
			want := float32(class) // dark pixels 0, light 1
			for _, v := range x.Data[r*x.Cols : (r+1)*x.Cols] {
				if d := v - want; d > 0.02 || d < -0.02 {
					t.Fatalf("row %d of class %d has pixel %v", r, class, v)
				}
			}
		}
	}
	if count != [2]int{5, 5} {
		t.Errorf("class counts %v, want 5 and 5", count)
	}
	again, _ := LoadImageDirectory(dir, ImageOptions{Height: 4, Width: 3, Channels: 3, ValidationSplit: 0.2, Seed: 5})
	for i := range im.TrainY.Data {
		if im.TrainY.Data[i] != again.TrainY.Data[i] {
			t.Fatal("the same seed shuffles differently")
		}
	}
	grey, err := LoadImageDirectory(dir, ImageOptions{})
	if err != nil || grey.TrainX.Cols != 784 || grey.ValidX != nil {
		t.Fatalf("defaults: %v", err)
	}
}

func TestLoadImageDirectoryErrors(t *testing.T) {
	dir := imageDir(t)
	if err := os.WriteFile(filepath.Join(dir, "dark", "broken.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadImageDirectory(dir, ImageOptions{}); !errors.Is(err, ErrImage) {
		t.Errorf("a broken file: %v, want ErrImage", err)
	}
	if _, err := LoadImageDirectory(t.TempDir(), ImageOptions{}); !errors.Is(err, ErrNoImages) {
		t.Errorf("an empty directory: %v, want ErrNoImages", err)
	}
	if _, err := LoadImageDirectory(dir, ImageOptions{Channels: 2}); !errors.Is(err, ErrNoImages) {
		t.Errorf("2 channels: %v, want ErrNoImages", err)
	}
	if _, err := LoadImageDirectory(filepath.Join(dir, "absent"), ImageOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing directory: %v, want ErrNotExist", err)
	}
}

func TestLoadImageDirectoryClasses(t *testing.T) {
	dir := imageDir(t)
	im, err := LoadImageDirectory(dir, ImageOptions{Height: 2, Width: 2, Classes: []string{"light", "extra", "dark"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Classes) != 3 || im.Classes[0] != "light" || im.Classes[2] != "dark" {
		t.Fatalf("classes %v", im.Classes)
	}
	for r := range im.TrainX.Rows {
		class, pixel := im.TrainY.Data[r], im.TrainX.Data[r*4]
		if (class == 0) != (pixel > 0.5) || class == 1 {
			t.Fatalf("row %d: class %v, pixel %v (light is class 0, dark class 2)", r, class, pixel)
		}
	}
	if _, err := LoadImageDirectory(dir, ImageOptions{Classes: []string{"dark"}}); !errors.Is(err, ErrUnknownClass) {
		t.Errorf("a folder not listed: %v, want ErrUnknownClass", err)
	}
	if _, err := LoadImageDirectory(dir, ImageOptions{Classes: []string{"dark", "light", "dark"}}); !errors.Is(err, ErrNoImages) {
		t.Errorf("a class listed twice: %v, want ErrNoImages", err)
	}
}

func TestImageFilesAndLoadImageFiles(t *testing.T) {
	dir := imageDir(t)
	writeImage(t, filepath.Join(dir, "top.jpeg"), 3, 3, color.RGBA{255, 0, 0, 255})
	paths, err := ImageFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range paths {
		r, _ := filepath.Rel(dir, p)
		rel = append(rel, filepath.ToSlash(r))
	}
	want := "dark/d0.png dark/d1.png dark/d2.png dark/d3.png dark/d4.png light/l0.JPG light/l1.JPG light/l2.JPG light/l3.JPG light/l4.JPG top.jpeg"
	if got := strings.Join(rel, " "); got != want {
		t.Fatalf("ImageFiles = %s\nwant %s", got, want)
	}
	x, err := LoadImageFiles([]string{paths[10], paths[0], paths[5]}, 2, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Red, black, white, in the order given, channels last.
	for r, rgb := range [][3]float32{{1, 0, 0}, {0, 0, 0}, {1, 1, 1}} {
		for p := range 4 {
			for c := range 3 {
				if v := x.At(r, 3*p+c); v-rgb[c] > 0.02 || rgb[c]-v > 0.02 {
					t.Fatalf("row %d pixel %d channel %d = %v, want %v", r, p, c, v, rgb[c])
				}
			}
		}
	}
	grey, err := LoadImageFiles(paths[10:], 1, 1, 1)
	if err != nil || grey.Cols != 1 || grey.Data[0] < 0.28 || grey.Data[0] > 0.31 {
		t.Errorf("red in grey: %v, %v (want 0.299, ITU-R 601 luma)", grey, err)
	}
}

func TestImageFilesErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "a.txt"), []byte("x"), 0o644)
	if _, err := ImageFiles(empty); !errors.Is(err, ErrNoImages) || !strings.Contains(err.Error(), empty) {
		t.Errorf("folder without images: %v", err)
	}
	if _, err := ImageFiles(filepath.Join(empty, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
	bad := filepath.Join(empty, "bad.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	if _, err := LoadImageFiles([]string{bad}, 2, 2, 1); !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), bad) {
		t.Errorf("undecodable file: %v", err)
	}
	if _, err := LoadImageFiles([]string{bad}, 2, 2, 2); !errors.Is(err, ErrNoImages) {
		t.Errorf("2 channels: %v", err)
	}
	if _, err := LoadImageFiles(nil, 2, 2, 1); !errors.Is(err, ErrNoImages) {
		t.Errorf("no files: %v", err)
	}
}
