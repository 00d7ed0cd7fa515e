package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests serve files from httptest servers on the loopback interface and
// point the Downloader at them with Rewrite; nothing contacts a real host.

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func fileFor(name, u string, content []byte) File {
	return File{Name: name, URL: u, SHA256: sum(content), Size: int64(len(content))}
}

// testServer serves files by URL path and counts requests.
type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte // path -> content
	requests []string
}

func newTestServer(t *testing.T, files map[string][]byte) *testServer {
	t.Helper()
	s := &testServer{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path)
		b, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// rewriteTo sends every address to base + the address's path, the way a
// local mirror would serve them.
func rewriteTo(base string) func(string) string {
	return func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return raw
		}
		return base + u.Path
	}
}

// leftovers returns the names in dir other than want.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range es {
		if !slices.Contains(want, e.Name()) {
			extra = append(extra, e.Name())
		}
	}
	return extra
}

var (
	contentA = bytes.Repeat([]byte("alpha "), 5000)
	contentB = []byte("bravo\n")
	contentC = bytes.Repeat([]byte{0, 1, 2, 3, 250}, 777)
)

func threeFiles() Dataset {
	return Dataset{Name: "toy", Files: []File{
		fileFor("a.gz", "https://a.example/data/a.gz", contentA),
		fileFor("b.txt", "https://a.example/data/b.txt", contentB),
		fileFor("c.bin", "https://b.example/c.bin", contentC),
	}}
}

func TestFetchDownloadsAndVerifies(t *testing.T) {
	srv := newTestServer(t, map[string][]byte{"/data/a.gz": contentA, "/data/b.txt": contentB, "/c.bin": contentC})
	dir := t.TempDir()
	var progress bytes.Buffer
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL), Progress: &progress, Client: srv.Client()}
	ds := threeFiles()
	paths, err := d.Fetch(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "toy", "a.gz"), filepath.Join(dir, "toy", "b.txt"), filepath.Join(dir, "toy", "c.bin")}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %q, want %q", paths, want)
	}
	for i, c := range [][]byte{contentA, contentB, contentC} {
		got, err := os.ReadFile(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c) {
			t.Errorf("%s: wrong content", paths[i])
		}
		if fi, _ := os.Stat(paths[i]); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", paths[i], fi.Mode().Perm())
		}
	}
	if extra := leftovers(t, filepath.Join(dir, "toy"), "a.gz", "b.txt", "c.bin"); extra != nil {
		t.Errorf("left behind: %q", extra)
	}
	if n := srv.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	out := progress.String()
	for _, s := range []string{"toy/a.gz: downloading " + srv.URL + "/data/a.gz (30.0 kB)", "toy/c.bin: done in"} {
		if !strings.Contains(out, s) {
			t.Errorf("progress lacks %q:\n%s", s, out)
		}
	}

	// A second run finds everything in place and makes no request.
	progress.Reset()
	paths2, err := d.Fetch(context.Background(), ds)
	if err != nil || !slices.Equal(paths2, want) {
		t.Fatalf("second Fetch: %q, %v", paths2, err)
	}
	if n := srv.count(); n != 3 {
		t.Errorf("second Fetch made %d requests", n-3)
	}
	if !strings.Contains(progress.String(), "toy/b.txt: present, sha256 verified") {
		t.Errorf("progress: %s", progress.String())
	}

	st, err := d.Check(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.State != FileVerified || s.SHA256 != s.File.SHA256 {
			t.Errorf("%s: %v %s", s.Path, s.State, s.SHA256)
		}
	}
}

func TestFetchSkipsPresentFiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request for %s", r.URL)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	ds := threeFiles()
	os.MkdirAll(filepath.Join(dir, "toy"), 0o755)
	for i, c := range [][]byte{contentA, contentB, contentC} {
		if err := os.WriteFile(filepath.Join(dir, "toy", ds.Files[i].Name), c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
	paths, err := d.Fetch(context.Background(), ds)
	if err != nil || len(paths) != 3 {
		t.Fatalf("%q, %v", paths, err)
	}
}

func TestFetchReplacesWrongPresentFile(t *testing.T) {
	srv := newTestServer(t, map[string][]byte{"/data/b.txt": contentB})
	dir := t.TempDir()
	ds := Dataset{Name: "toy", Files: threeFiles().Files[1:2]}
	p := filepath.Join(dir, "toy", "b.txt")
	os.MkdirAll(filepath.Dir(p), 0o755)
	for _, stale := range []string{"bravo?", "other content"} { // same size, then another size
		if err := os.WriteFile(p, []byte(stale), 0o644); err != nil {
			t.Fatal(err)
		}
		d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
		st, _ := d.Check(ds)
		if st[0].State != FileMismatch {
			t.Fatalf("%q: state %v, want mismatch", stale, st[0].State)
		}
		if _, err := d.Fetch(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, contentB) {
			t.Fatalf("file not replaced: %q", got)
		}
	}
}

func TestFetchChecksumMismatch(t *testing.T) {
	for _, c := range []struct {
		name   string
		served []byte
		want   []string
	}{
		{"same size", []byte("bravo?"), []string{"has sha256 " + sum([]byte("bravo?")) + " (6 bytes), want sha256 " + sum(contentB) + " (6 bytes)"}},
		{"shorter", []byte("brav"), []string{"has sha256 " + sum([]byte("brav")) + " (4 bytes), want sha256 " + sum(contentB) + " (6 bytes)"}},
		{"longer", []byte("bravo\nextra"), []string{"is larger than the expected 6 bytes (want sha256 " + sum(contentB) + ")"}},
		{"html page", []byte("<html>captive portal</html>"), []string{"larger"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newTestServer(t, map[string][]byte{"/data/b.txt": c.served})
			dir := t.TempDir()
			ds := Dataset{Name: "toy", Files: threeFiles().Files[1:2]}
			d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
			paths, err := d.Fetch(context.Background(), ds)
			if err == nil {
				t.Fatalf("no error; paths %q", paths)
			}
			var ce *ChecksumError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChecksum) {
				t.Fatalf("error %T %v, want a *ChecksumError", err, err)
			}
			msg := err.Error()
			for _, s := range append(c.want, "toy: b.txt from "+srv.URL+"/data/b.txt", "discarded") {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error has several lines: %q", msg)
			}
			if extra := leftovers(t, filepath.Join(dir, "toy")); extra != nil {
				t.Errorf("left behind: %q", extra)
			}
		})
	}
}

// countingClient returns a client that counts the connections it dials.
func countingClient(dials *atomic.Int32) *http.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: tr}
}

func TestFetchServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens at base any more
	dir := t.TempDir()
	ds := threeFiles()
	ds.Files[1].Mirrors = []string{"https://mirror.example/b.txt"}
	// b.txt is present already, so only a.gz and c.bin are missing.
	os.MkdirAll(filepath.Join(dir, "toy"), 0o755)
	os.WriteFile(filepath.Join(dir, "toy", "b.txt"), contentB, 0o644)

	var dials atomic.Int32
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(base), Client: countingClient(&dials)}
	paths, err := d.Fetch(context.Background(), ds)
	if err == nil {
		t.Fatalf("no error; paths %q", paths)
	}
	var de *DownloadError
	if !errors.As(err, &de) || !errors.Is(err, ErrDownload) {
		t.Fatalf("error %T %v, want a *DownloadError", err, err)
	}
	msg := err.Error()
	t.Log(msg)
	host := strings.TrimPrefix(base, "http://")
	for _, s := range []string{
		"cannot reach toy's host (dial tcp " + host + ": connect: connection refused): ",
		"download " + base + "/data/a.gz and place it at " + filepath.Join(dir, "toy", "a.gz") + "; ",
		"download " + base + "/c.bin and place it at " + filepath.Join(dir, "toy", "c.bin") + "; then run again",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q", s)
		}
	}
	if strings.Contains(msg, "b.txt") || strings.Contains(msg, "\n") {
		t.Errorf("error names the present file or has several lines: %q", msg)
	}
	if len(de.Files) != 2 || de.Files[0].Path != filepath.Join(dir, "toy", "a.gz") || de.Files[1].URL != base+"/c.bin" {
		t.Errorf("Files: %+v", de.Files)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connection attempts, want 1 (an unreachable host is tried once)", n)
	}
	if extra := leftovers(t, filepath.Join(dir, "toy"), "b.txt"); extra != nil {
		t.Errorf("left behind: %q", extra)
	}
}

func TestFetchMirrorsAndHTTPErrors(t *testing.T) {
	// The primary address is missing (404); the mirror serves the file.
	srv := newTestServer(t, map[string][]byte{"/mirror/b.txt": contentB})
	dir := t.TempDir()
	f := threeFiles().Files[1]
	f.Mirrors = []string{"https://mirror.example/mirror/b.txt"}
	ds := Dataset{Name: "toy", Files: []File{f}}
	var progress bytes.Buffer
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL), Progress: &progress}
	if _, err := d.Fetch(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "HTTP 404 Not Found") {
		t.Errorf("progress does not report the 404:\n%s", progress.String())
	}

	// Nobody has it: the error says what to fetch by hand.
	os.Remove(filepath.Join(dir, "toy", "b.txt"))
	srv.mu.Lock()
	srv.files = map[string][]byte{}
	srv.mu.Unlock()
	_, err := d.Fetch(context.Background(), ds)
	want := "cannot download toy (" + strings.TrimPrefix(srv.URL, "http://") + ": HTTP 404 Not Found): download " +
		srv.URL + "/data/b.txt and place it at " + filepath.Join(dir, "toy", "b.txt") + "; then run again"
	if err == nil || err.Error() != want || !errors.Is(err, ErrDownload) {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

type member struct {
	name    string
	content []byte
}

func tarGz(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.content)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
		if strings.HasSuffix(m.name, "/") {
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(m.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var housingRows = []byte("-122.230000,37.880000,41.000000,880.000000,129.000000,322.000000,126.000000,8.325200,452600.000000\n" +
	"-122.220000,37.860000,21.000000,7099.000000,1106.000000,2401.000000,1138.000000,8.301400,358500.000000\n")

func housingDataset() Dataset {
	f := fileFor("cal_housing.data", "https://www.example.org/~x/Regression/cal_housing.tgz", housingRows)
	f.Member = "CaliforniaHousing/cal_housing.data"
	return Dataset{Name: "housing", Files: []File{f}}
}

func housingArchive(t *testing.T, data []byte) []byte {
	return tarGz(t,
		member{"CaliforniaHousing/", nil},
		member{"CaliforniaHousing/cal_housing.domain", []byte("longitude: continuous.\n")},
		member{"CaliforniaHousing/cal_housing.data", data},
	)
}

func TestFetchArchiveMember(t *testing.T) {
	ds := housingDataset()
	if got := ds.Files[0].ArchiveName(); got != "cal_housing.tgz" {
		t.Errorf("ArchiveName %q", got)
	}
	srv := newTestServer(t, map[string][]byte{"/~x/Regression/cal_housing.tgz": housingArchive(t, housingRows)})
	dir := t.TempDir()
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
	paths, err := d.Fetch(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(paths[0]); !bytes.Equal(got, housingRows) || paths[0] != filepath.Join(dir, "housing", "cal_housing.data") {
		t.Fatalf("%s: %q", paths[0], got)
	}
	// Only the member is kept: no archive, no other member, no temporary file.
	if extra := leftovers(t, filepath.Join(dir, "housing"), "cal_housing.data"); extra != nil {
		t.Errorf("left behind: %q", extra)
	}
	x, y, _, err := CaliforniaHousing(paths[0])
	if err != nil || x.Rows != 2 || y.Data[0] != 4.526 {
		t.Errorf("CaliforniaHousing: %v %v", x, err)
	}
}

func TestFetchArchiveErrors(t *testing.T) {
	ds := housingDataset()
	for _, c := range []struct {
		name    string
		archive []byte
		is      error
		want    string
	}{
		{"member altered", housingArchive(t, bytes.Replace(housingRows, []byte("41.0"), []byte("42.0"), 1)), ErrChecksum,
			"housing: cal_housing.data from %URL/~x/Regression/cal_housing.tgz (CaliforniaHousing/cal_housing.data) has sha256 "},
		{"member missing", tarGz(t, member{"CaliforniaHousing/cal_housing.domain", []byte("x")}), ErrArchive,
			"housing: %URL/~x/Regression/cal_housing.tgz has no member CaliforniaHousing/cal_housing.data"},
		{"not gzip", []byte("<html>not found</html>"), ErrArchive, "is not a valid .tar.gz archive: bad archive: gzip: invalid header"},
		{"member is a directory", tarGz(t, member{"CaliforniaHousing/cal_housing.data/", nil}), ErrArchive, "is not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newTestServer(t, map[string][]byte{"/~x/Regression/cal_housing.tgz": c.archive})
			dir := t.TempDir()
			d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
			_, err := d.Fetch(context.Background(), ds)
			want := strings.ReplaceAll(c.want, "%URL", srv.URL)
			if !errors.Is(err, c.is) || err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want %v containing %q", err, c.is, want)
			}
			if extra := leftovers(t, filepath.Join(dir, "housing")); extra != nil {
				t.Errorf("left behind: %q", extra)
			}
		})
	}
}

func TestFetchArchivePlacedByHand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request for %s", r.URL)
	}))
	defer srv.Close()
	ds := housingDataset()
	dir := t.TempDir()
	archive := filepath.Join(dir, "housing", "cal_housing.tgz")
	os.MkdirAll(filepath.Dir(archive), 0o755)
	if err := os.WriteFile(archive, housingArchive(t, housingRows), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
	paths, err := d.Fetch(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(paths[0]); !bytes.Equal(got, housingRows) {
		t.Fatalf("extracted %q", got)
	}

	// A bad archive placed by hand is reported, and left alone.
	os.Remove(paths[0])
	os.WriteFile(archive, []byte("junk"), 0o644)
	_, err = d.Fetch(context.Background(), ds)
	if !errors.Is(err, ErrArchive) || !strings.Contains(err.Error(), "remove "+archive) {
		t.Errorf("error %v", err)
	}
	if _, err := os.Stat(archive); err != nil {
		t.Errorf("the archive was removed: %v", err)
	}
}

func TestFetchArchiveServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	ds := housingDataset()
	dir := t.TempDir()
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(base)}
	_, err := d.Fetch(context.Background(), ds)
	hd := filepath.Join(dir, "housing")
	want := "download " + base + "/~x/Regression/cal_housing.tgz and place it at " + filepath.Join(hd, "cal_housing.tgz") +
		" (or extract its member CaliforniaHousing/cal_housing.data to " + filepath.Join(hd, "cal_housing.data") + "); then run again"
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach housing's host") || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error %v\nwant it to end with %s", err, want)
	}
}

func TestFetchCanceled(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "30000")
		w.Write(contentA[:1000])
		w.(http.Flusher).Flush()
		close(started)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
	_, err := d.Fetch(ctx, Dataset{Name: "toy", Files: threeFiles().Files[:1]})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if extra := leftovers(t, filepath.Join(dir, "toy")); extra != nil {
		t.Errorf("left behind: %q", extra)
	}
}

func TestFetchConnectionBreaks(t *testing.T) {
	// The server promises 30000 bytes and hangs up after 1000.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "30000")
		w.Write(contentA[:1000])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	d := &Downloader{Dir: dir, Rewrite: rewriteTo(srv.URL)}
	_, err := d.Fetch(context.Background(), Dataset{Name: "toy", Files: threeFiles().Files[:1]})
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "download broke off") ||
		!strings.Contains(err.Error(), "place it at "+filepath.Join(dir, "toy", "a.gz")) {
		t.Errorf("error %v", err)
	}
	if extra := leftovers(t, filepath.Join(dir, "toy")); extra != nil {
		t.Errorf("left behind: %q", extra)
	}
}

func TestFetchInvalidDataset(t *testing.T) {
	d := &Downloader{Dir: t.TempDir()}
	good := fileFor("a", "https://a.example/a", contentB)
	for _, ds := range []Dataset{
		{Name: "x"},
		{Name: "../x", Files: []File{good}},
		{Name: "x", Files: []File{{Name: "../a", URL: good.URL, SHA256: good.SHA256, Size: 6}}},
		{Name: "x", Files: []File{{Name: "a", URL: good.URL, SHA256: "abc", Size: 6}}},
		{Name: "x", Files: []File{{Name: "a", URL: good.URL, SHA256: strings.ToUpper(good.SHA256), Size: 6}}},
		{Name: "x", Files: []File{{Name: "a", URL: good.URL, SHA256: good.SHA256}}},
	} {
		if _, err := d.Fetch(context.Background(), ds); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: error %v, want ErrOptions", ds, err)
		}
	}
}

func TestGetUnknownDataset(t *testing.T) {
	d := &Downloader{Dir: t.TempDir()}
	_, err := d.Get(context.Background(), "cifar10")
	want := `unknown dataset "cifar10" (known: california-housing, fashion-mnist, mnist)`
	if !errors.Is(err, ErrUnknownDataset) || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	for _, name := range []string{"fashion-mnist", "Fashion_MNIST", " MNIST ", "california_housing"} {
		if _, err := Lookup(name); err != nil {
			t.Errorf("Lookup(%q): %v", name, err)
		}
	}
	d.Registry = []Dataset{threeFiles()}
	if _, err := d.Lookup("mnist"); err == nil || !strings.Contains(err.Error(), "(known: toy)") {
		t.Errorf("custom registry: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	ds := Datasets()
	var names []string
	hexRE := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, d := range ds {
		names = append(names, d.Name)
		if !validName(d.Name) || d.Name != normalizeName(d.Name) || d.Title == "" {
			t.Errorf("dataset %q", d.Name)
		}
		seen := map[string]bool{}
		for _, f := range d.Files {
			if !validName(f.Name) || seen[f.Name] {
				t.Errorf("%s: file name %q", d.Name, f.Name)
			}
			seen[f.Name] = true
			if !hexRE.MatchString(f.SHA256) || f.Size <= 0 {
				t.Errorf("%s/%s: sha256 %q size %d", d.Name, f.Name, f.SHA256, f.Size)
			}
			for _, u := range append([]string{f.URL}, f.Mirrors...) {
				p, err := url.Parse(u)
				if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
					t.Errorf("%s/%s: address %q", d.Name, f.Name, u)
				}
				if f.Member == "" && path.Base(p.Path) != f.Name {
					t.Errorf("%s/%s: address %q serves another file name", d.Name, f.Name, u)
				}
			}
		}
	}
	if !slices.Equal(names, []string{"california-housing", "fashion-mnist", "mnist"}) {
		t.Errorf("names %q", names)
	}
	// Datasets returns a copy.
	ds[0].Files[0].SHA256 = "changed"
	ds[0].Files[0].Mirrors[0] = "changed"
	if d, _ := Lookup(ds[0].Name); d.Files[0].SHA256 == "changed" || d.Files[0].Mirrors[0] == "changed" {
		t.Error("Datasets shares memory with the registry")
	}
	if d, _ := Lookup("california-housing"); d.Files[0].ArchiveName() != "cal_housing.tgz" || d.Size() != 2_071_484 {
		t.Errorf("california-housing: archive %q size %d", d.Files[0].ArchiveName(), d.Size())
	}
}

// sharedData returns the shared benchmark data directory ($TUNE_DATA_DIR,
// else ../../shared/data) or skips the test.
func sharedData(t *testing.T) string {
	t.Helper()
	dir := DefaultDataDir()
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "fashion-mnist")); err != nil {
		t.Skipf("shared data not found at %s (set %s): %v", dir, DirEnv, err)
	}
	return dir
}

// TestRegistryMatchesSharedData checks the registry's sizes and SHA-256
// values against the shared copies of the files (Fashion-MNIST and the
// extracted California housing file; MNIST is not in the shared data).
func TestRegistryMatchesSharedData(t *testing.T) {
	dir := sharedData(t)
	checked := 0
	for _, ds := range Datasets() {
		if _, err := os.Stat(filepath.Join(dir, ds.Name)); err != nil {
			t.Logf("%s: not in %s, not checked", ds.Name, dir)
			continue
		}
		st, err := (&Downloader{Dir: dir}).Check(ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			checked++
			if s.State != FileVerified {
				t.Errorf("%s: %v: %d bytes, sha256 %s; the registry says %d bytes, sha256 %s",
					s.Path, s.State, s.Size, s.SHA256, s.File.Size, s.File.SHA256)
			}
		}
	}
	if checked < 5 {
		t.Errorf("checked %d files, want the 4 Fashion-MNIST files and cal_housing.data", checked)
	}
}

// TestGetRegistryFromSharedData downloads Fashion-MNIST and California
// housing through the real registry from a loopback server that serves the
// shared files (cal_housing.data packed into a .tgz as StatLib ships it).
func TestGetRegistryFromSharedData(t *testing.T) {
	shared := sharedData(t)
	if testing.Short() {
		t.Skip("copies 33 MB; skipped with -short")
	}
	cal, err := os.ReadFile(filepath.Join(shared, "california-housing", "cal_housing.data"))
	if err != nil {
		t.Skip(err)
	}
	tgz := housingArchive(t, cal)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		// Paths are /<original host>/<original path>.
		switch host, p, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); {
		case host == "fashion-mnist.s3-website.eu-central-1.amazonaws.com":
			http.ServeFile(w, r, filepath.Join(shared, "fashion-mnist", path.Base(p)))
		case host == "www.dcc.fc.up.pt" && p == "~ltorgo/Regression/cal_housing.tgz":
			w.Write(tgz)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	d := &Downloader{Dir: dir, Rewrite: func(raw string) string {
		u, _ := url.Parse(raw)
		return srv.URL + "/" + u.Host + u.Path
	}}
	for _, name := range []string{"fashion-mnist", "california-housing"} {
		paths, err := d.Get(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := Lookup(name)
		if len(paths) != len(ds.Files) {
			t.Fatalf("%s: %q", name, paths)
		}
	}
	if n := requests.Load(); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
	if _, _, _, err := CaliforniaHousing(filepath.Join(dir, "california-housing", "cal_housing.data")); err != nil {
		t.Error(err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv(DirEnv, "/srv/tune-data")
	if d, err := DefaultCacheDir(); d != "/srv/tune-data" || err != nil {
		t.Errorf("with $%s: %q, %v", DirEnv, d, err)
	}
	t.Setenv(DirEnv, "")
	c, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	if d, err := DefaultCacheDir(); d != filepath.Join(c, "tune") || err != nil {
		t.Errorf("without $%s: %q, %v", DirEnv, d, err)
	}
	if d, _ := (&Downloader{}).CacheDir(); d != filepath.Join(c, "tune") {
		t.Errorf("Downloader.CacheDir: %q", d)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{5148: "5.1 kB", 999: "999 B", 26_421_880: "26.4 MB", 2_071_484: "2.1 MB", 3e9: "3.0 GB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
