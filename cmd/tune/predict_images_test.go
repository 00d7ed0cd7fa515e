package main

import (
	"encoding/csv"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/data"
)

// writeGrey writes a w×h PNG of one grey level.
func writeGrey(t *testing.T, path string, w, h int, level uint8) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for p := range img.Pix {
		img.Pix[p] = level
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// A CNN study trained on an image folder predicts a folder of new images
// (any size, in subfolders) and names each row's file.
func TestPredictImageFolder(t *testing.T) {
	dir := t.TempDir()
	for i := range 12 {
		writeGrey(t, filepath.Join(dir, "pics", "dark", string(rune('a'+i))+".png"), 5+i%3, 6, uint8(10*(i%3)))
		writeGrey(t, filepath.Join(dir, "pics", "light", string(rune('a'+i))+".png"), 6, 5+i%4, uint8(255-10*(i%3)))
	}
	config := writeFile(t, dir, "study.yaml", `project: pics
seed: 3
model: cnn
data:
  format: images
  directory: pics
  image_size: [6, 6]
  validation_split: 0.25
hyperparameters:
  conv_blocks: 1
  filters: 4
  kernel_size: 3
  pooling: max
  dense_units: 8
  dropout: 0.0
  learning_rate: 0.05
  batch_size: 4
objective: val_accuracy
max_trials: 1
epochs: 15
`)
	mustExecute(t, "search", "--config", config, "--quiet")

	in := filepath.Join(dir, "new")
	writeGrey(t, filepath.Join(in, "b", "white.png"), 30, 20, 250)
	writeGrey(t, filepath.Join(in, "a", "black.png"), 9, 9, 5)
	writeGrey(t, filepath.Join(in, "grey_dark.png"), 4, 4, 30)
	out := mustExecute(t, "predict", "--config", config, "-i", in)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"a/black.png", "dark"}, {"b/white.png", "light"}, {"grey_dark.png", "dark"}}
	if len(recs) != 4 || strings.Join(recs[0], ",") != "row,file,class,p_dark,p_light" {
		t.Fatalf("predictions:\n%s", out)
	}
	for i, w := range want {
		if r := recs[i+1]; r[0] != string(rune('1'+i)) || r[1] != w[0] || r[2] != w[1] {
			t.Errorf("row %d = %v, want file %s class %s", i+1, r, w[0], w[1])
		}
	}

	// One file; then a folder without images and an undecodable file.
	out = mustExecute(t, "predict", "--config", config, "-i", filepath.Join(in, "b", "white.png"))
	if !strings.Contains(out, "1,white.png,light,") {
		t.Errorf("one image:\n%s", out)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if _, _, err := execute(t.Context(), "predict", "--config", config, "-i", empty); !errors.Is(err, data.ErrNoImages) || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty folder: %v", err)
	}
	bad := writeFile(t, in, "broken.png", "not a png")
	if _, _, err := execute(t.Context(), "predict", "--config", config, "-i", in); !errors.Is(err, data.ErrImage) || !strings.Contains(err.Error(), bad) {
		t.Errorf("broken image: %v", err)
	}
}
