package data_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tunekit/tune/data"
)

// Download Fashion-MNIST into the cache ($TUNE_DATA_DIR, else
// ~/.cache/tune) and load it. Without network access the error says which
// files to download by hand and where to put them.
func ExampleDownloader() {
	d := &data.Downloader{Progress: os.Stderr}
	paths, err := d.Get(context.Background(), "fashion-mnist")
	var de *data.DownloadError
	if errors.As(err, &de) {
		for _, m := range de.Files {
			fmt.Printf("fetch %s into %s\n", m.URL, m.Path)
		}
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := d.CacheDir()
	trainX, trainY, testX, testY, err := data.FashionMNIST(filepath.Join(dir, "fashion-mnist"))
	fmt.Println(len(paths), trainX.Rows, trainY.Rows, testX.Rows, testY.Rows, err)
}
