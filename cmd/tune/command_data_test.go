package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tunekit/tune/data"
)

// The data command tests serve files from an httptest server on the
// loopback interface, reached through $TUNE_DATA_BASE_URL; nothing contacts
// a real host. They set dataRegistry and environment variables, so they do
// not run in parallel.

// runData runs the data command with args and returns its output.
func runDataCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newDataCommand()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.ExecuteContext(context.Background())
	if errb.Len() > 0 {
		t.Errorf("stderr: %s", errb.String())
	}
	return out.String(), err
}

func hexSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

var (
	toyImages = bytes.Repeat([]byte{7, 0, 255}, 4000)
	toyLabels = []byte{1, 2, 3, 4}
)

// useToyRegistry replaces the registry with one dataset "toy" of two files
// hosted at files.example, served by a loopback server through
// $TUNE_DATA_BASE_URL. It returns the server's request counter.
func useToyRegistry(t *testing.T) *atomic.Int32 {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/files.example/toy/images.gz":
			w.Write(toyImages)
		case "/files.example/toy/labels.gz":
			w.Write(toyLabels)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv(dataBaseURLEnv, srv.URL+"/")
	setToyRegistry(t)
	return &requests
}

func setToyRegistry(t *testing.T) {
	dataRegistry = []data.Dataset{{Name: "toy", Title: "a toy", Files: []data.File{
		{Name: "images.gz", URL: "https://files.example/toy/images.gz", SHA256: hexSHA256(toyImages), Size: int64(len(toyImages))},
		{Name: "labels.gz", URL: "https://files.example/toy/labels.gz", SHA256: hexSHA256(toyLabels), Size: int64(len(toyLabels))},
	}}}
	t.Cleanup(func() { dataRegistry = nil })
}

func TestDataGetAndList(t *testing.T) {
	requests := useToyRegistry(t)
	dir := t.TempDir()

	out, err := runDataCommand(t, "list", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`^cache directory: ` + regexp.QuoteMeta(dir) + "\n",
		`(?m)^DATASET +FILE +SIZE +STATUS +PATH$`,
		`(?m)^toy +images\.gz +12\.0 kB +missing +` + regexp.QuoteMeta(filepath.Join(dir, "toy", "images.gz")) + `$`,
		`(?m)^toy +labels\.gz +4 B +missing +`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("list output does not match %s:\n%s", re, out)
		}
	}

	out, err = runDataCommand(t, "get", "TOY", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"toy/images.gz: downloading http://127.0.0.1:",
		"/files.example/toy/images.gz (12.0 kB)\n",
		"toy: 2 files, 12.0 kB, verified in " + filepath.Join(dir, "toy") + "\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("get output lacks %q:\n%s", s, out)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "toy", "labels.gz")); !bytes.Equal(got, toyLabels) {
		t.Errorf("labels.gz: %v", got)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}

	// Again: nothing to download.
	out, err = runDataCommand(t, "get", "toy", "--dir", dir)
	if err != nil || !strings.Contains(out, "toy/images.gz: present, sha256 verified") || requests.Load() != 2 {
		t.Errorf("second get: %v, %d requests:\n%s", err, requests.Load(), out)
	}

	// A damaged file shows in the list.
	os.WriteFile(filepath.Join(dir, "toy", "labels.gz"), []byte{1, 2, 3, 5}, 0o644)
	out, err = runDataCommand(t, "list", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`(?m)^toy +images\.gz +12\.0 kB +verified +`, `(?m)^toy +labels\.gz +4 B +checksum mismatch +`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("list output does not match %s:\n%s", re, out)
		}
	}
}

func TestDataGetOffline(t *testing.T) {
	setToyRegistry(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	t.Setenv(dataBaseURLEnv, base)
	dir := t.TempDir()

	_, err := runDataCommand(t, "get", "toy", "--dir", dir)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error has several lines: %q", msg)
	}
	for _, s := range []string{
		"cannot reach toy's host (",
		"download " + base + "/files.example/toy/images.gz and place it at " + filepath.Join(dir, "toy", "images.gz"),
		"download " + base + "/files.example/toy/labels.gz and place it at " + filepath.Join(dir, "toy", "labels.gz"),
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q:\n%s", s, msg)
		}
	}
	if !errors.Is(err, data.ErrDownload) || !strings.HasSuffix(msg, "; then run again") {
		t.Errorf("error %v", err)
	}

	// Two datasets offline: one line with the files of both.
	toy2 := dataRegistry[0]
	toy2.Name = "toy2"
	dataRegistry = append(dataRegistry, toy2)
	_, err = runDataCommand(t, "get", "toy", "toy2", "--dir", dir)
	if err == nil || strings.Contains(err.Error(), "\n") || !errors.Is(err, data.ErrDownload) ||
		!strings.Contains(err.Error(), "then run again; cannot reach toy2's host (") ||
		!strings.Contains(err.Error(), "place it at "+filepath.Join(dir, "toy2", "labels.gz")) {
		t.Errorf("two datasets: %v", err)
	}
}

func TestDataUnknownDataset(t *testing.T) {
	dataRegistry = nil
	for _, args := range [][]string{{"get", "cifar10"}, {"list", "cifar10"}, {"get", "mnist", "cifar10"}} {
		_, err := runDataCommand(t, append(args, "--dir", t.TempDir())...)
		want := `unknown dataset "cifar10" (known: california-housing, fashion-mnist, mnist)`
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %s", args, err, want)
		}
	}
	if _, err := runDataCommand(t, "get"); err == nil {
		t.Error("get without a name: no error")
	}
}

func TestDataListBuiltIn(t *testing.T) {
	dataRegistry = nil
	dir := t.TempDir()
	t.Setenv(data.DirEnv, dir) // the default cache directory
	out, err := runDataCommand(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "cache directory: "+dir+"\n") {
		t.Errorf("output:\n%s", out)
	}
	for _, re := range []string{
		`(?m)^california-housing +cal_housing\.data +2\.1 MB +missing +` + regexp.QuoteMeta(filepath.Join(dir, "california-housing", "cal_housing.data")) + `$`,
		`(?m)^fashion-mnist +train-images-idx3-ubyte\.gz +26\.4 MB +missing +` + regexp.QuoteMeta(filepath.Join(dir, "fashion-mnist", "train-images-idx3-ubyte.gz")) + `$`,
		`(?m)^mnist +t10k-labels-idx1-ubyte\.gz +4\.5 kB +missing +`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
	if n := strings.Count(out, " missing "); n != 9 {
		t.Errorf("%d missing files, want 9:\n%s", n, out)
	}
}

// TestDataGetFashionMNISTFromSharedData runs "tune data get fashion-mnist"
// with the real registry against a loopback mirror serving the shared
// files at $TUNE_DATA_BASE_URL/<host>/<path>.
func TestDataGetFashionMNISTFromSharedData(t *testing.T) {
	shared := data.DefaultDataDir()
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "shared", "data")
	}
	shared = filepath.Join(shared, "fashion-mnist")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data not found: %v", err)
	}
	if testing.Short() {
		t.Skip("copies 31 MB; skipped with -short")
	}
	dataRegistry = nil
	const prefix = "/fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
	srv := httptest.NewServer(http.StripPrefix(prefix, http.FileServer(http.Dir(shared))))
	defer srv.Close()
	t.Setenv(dataBaseURLEnv, srv.URL)
	dir := t.TempDir()
	out, err := runDataCommand(t, "get", "fashion-mnist", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "fashion-mnist: 4 files, 30.9 MB, verified in "+filepath.Join(dir, "fashion-mnist")) {
		t.Errorf("output:\n%s", out)
	}
	out, err = runDataCommand(t, "list", "fashion-mnist", "--dir", dir)
	if err != nil || strings.Count(out, " verified ") != 4 {
		t.Errorf("list: %v\n%s", err, out)
	}
}

func TestBaseURLRewrite(t *testing.T) {
	rw := baseURLRewrite("http://127.0.0.1:8080/mirror/")
	for in, want := range map[string]string{
		"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz": "http://127.0.0.1:8080/mirror/fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz",
		"https://www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.tgz":                          "http://127.0.0.1:8080/mirror/www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.tgz",
		"https://h.example/f?x=1": "http://127.0.0.1:8080/mirror/h.example/f?x=1",
	} {
		if got := rw(in); got != want {
			t.Errorf("%s -> %s, want %s", in, got, want)
		}
	}
}
