package data

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Sentinel errors of Downloader (besides ErrUnknownDataset).
var (
	// ErrChecksum: a file's size or SHA-256 is not the registry's. The
	// error is a *ChecksumError.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrDownload: files could not be fetched (host unreachable, HTTP
	// error). The error is a *DownloadError saying what to fetch by hand and
	// where to put it.
	ErrDownload = errors.New("download failed")
	// ErrArchive: a downloaded or placed archive is not a .tar.gz or lacks
	// the member wanted.
	ErrArchive = errors.New("bad archive")
)

// Downloader fetches the files of a Dataset into a cache directory and
// verifies them.
//
// Each file goes to Dir/<dataset>/<file>. It is written to a temporary file
// in that directory while its SHA-256 is computed, checked for size and
// SHA-256, and only then renamed into place, so a file under its final name
// is always complete and verified (and concurrent downloads of the same
// dataset are safe). A file already present with the right SHA-256 is not
// downloaded again; one present with another SHA-256 is replaced.
//
// For a file that is an archive member (File.Member), the archive is
// streamed and only the member is written; an archive placed by hand at
// Dir/<dataset>/<File.ArchiveName()> is used instead of the network.
//
// The zero value is ready to use: http.DefaultClient, DefaultCacheDir, the
// built-in registry, no progress output.
type Downloader struct {
	// Client makes the requests; nil means http.DefaultClient. Requests
	// are bounded by Get's context, not by a client timeout.
	Client *http.Client

	// Dir is the cache directory; "" means DefaultCacheDir().
	Dir string

	// Rewrite, if not nil, maps every address (File.URL and mirrors) to the
	// one actually requested, e.g. to a local mirror or an httptest server.
	// Messages name the rewritten address.
	Rewrite func(url string) string

	// Progress, if not nil, receives one line per file event ("present",
	// "downloading", "done", ...).
	Progress io.Writer

	// Registry replaces the built-in datasets (Datasets()) when not nil.
	Registry []Dataset
}

// CacheDir returns Dir, or DefaultCacheDir() if Dir is empty.
func (d *Downloader) CacheDir() (string, error) {
	if d.Dir != "" {
		return d.Dir, nil
	}
	return DefaultCacheDir()
}

// Datasets returns the datasets d knows: Registry, or the built-in ones.
func (d *Downloader) Datasets() []Dataset {
	if d.Registry == nil {
		return Datasets()
	}
	out := make([]Dataset, len(d.Registry))
	for i, ds := range d.Registry {
		out[i] = ds.clone()
	}
	return out
}

// Lookup finds a dataset by name among d's datasets, like the package's
// Lookup.
func (d *Downloader) Lookup(name string) (Dataset, error) {
	if d.Registry == nil {
		return Lookup(name)
	}
	return lookupIn(d.Registry, name)
}

// Path returns where d keeps file f of dataset ds.
func (d *Downloader) Path(ds Dataset, f File) (string, error) {
	dir, err := d.CacheDir()
	if err != nil {
		return "", err
	}
	if !validName(ds.Name) || !validName(f.Name) {
		return "", fmt.Errorf("dataset %q file %q: %w: names must be single path elements", ds.Name, f.Name, ErrOptions)
	}
	return filepath.Join(dir, ds.Name, f.Name), nil
}

// Get makes sure the files of the dataset called name are in the cache and
// verified, downloading the ones that are not, and returns their paths in
// the dataset's order. See Fetch.
func (d *Downloader) Get(ctx context.Context, name string) (paths []string, err error) {
	ds, err := d.Lookup(name)
	if err != nil {
		return nil, err
	}
	return d.Fetch(ctx, ds)
}

// Fetch makes sure the files of ds are in the cache and verified,
// downloading the ones that are not, and returns their paths in ds's order.
//
// Errors:
//   - a downloaded file (or archive member) with the wrong size or SHA-256
//     is deleted and reported at once as a *ChecksumError (ErrChecksum)
//     naming the file, the address and both hashes;
//   - files that cannot be fetched (a host that cannot be reached, an HTTP
//     error; each file's mirrors are tried first) do not stop the others; at
//     the end they are reported together as one *DownloadError
//     (ErrDownload) that gives, for each, the address to download and the
//     full path to place it at. Once a host cannot be reached it is not
//     contacted again during the call;
//   - the context's error if ctx ends; the file being written is removed.
func (d *Downloader) Fetch(ctx context.Context, ds Dataset) (paths []string, err error) {
	if len(ds.Files) == 0 {
		return nil, fmt.Errorf("dataset %q: %w: no files", ds.Name, ErrOptions)
	}
	for _, f := range ds.Files {
		if _, err := d.Path(ds, f); err != nil {
			return nil, err
		}
		if _, err := hex.DecodeString(f.SHA256); err != nil || len(f.SHA256) != sha256.Size*2 || strings.ToLower(f.SHA256) != f.SHA256 {
			return nil, fmt.Errorf("%s: %s: %w: SHA256 %q is not 64 lower-case hex digits", ds.Name, f.Name, ErrOptions, f.SHA256)
		}
		if f.Size <= 0 {
			return nil, fmt.Errorf("%s: %s: %w: Size %d is not positive", ds.Name, f.Name, ErrOptions, f.Size)
		}
	}
	r := &fetchRun{d: d, ds: ds, dead: map[string]error{}}
	for _, f := range ds.Files {
		p, err := r.file(ctx, f)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	if len(r.missing) > 0 {
		return nil, &DownloadError{Dataset: ds.Name, Files: r.missing}
	}
	return paths, nil
}

// fetchRun is the state of one Fetch call.
type fetchRun struct {
	d       *Downloader
	ds      Dataset
	dead    map[string]error // hosts that could not be reached, with the error
	missing []MissingFile
}

func (r *fetchRun) progress(f File, format string, args ...any) {
	if r.d.Progress == nil {
		return
	}
	fmt.Fprintf(r.d.Progress, "%s/%s: %s\n", r.ds.Name, f.Name, fmt.Sprintf(format, args...))
}

func (r *fetchRun) rewrite(u string) string {
	if r.d.Rewrite != nil {
		return r.d.Rewrite(u)
	}
	return u
}

// file makes sure f is present and verified and returns its path. A nil
// error with an empty path means f was added to r.missing.
func (r *fetchRun) file(ctx context.Context, f File) (string, error) {
	dest, err := r.d.Path(r.ds, f)
	if err != nil {
		return "", err
	}
	switch st, err := checkFile(dest, f); {
	case err != nil:
		return "", err
	case st.State == FileVerified:
		r.progress(f, "present, sha256 verified")
		return dest, nil
	case st.State == FileMismatch:
		r.progress(f, "present but %s; replacing it", st.mismatch(f))
	}

	if f.Member != "" {
		archive := filepath.Join(filepath.Dir(dest), f.ArchiveName())
		a, err := os.Open(archive)
		switch {
		case err == nil:
			defer a.Close()
			r.progress(f, "extracting %s from %s", f.Member, archive)
			if err := r.extract(ctx, f, dest, a, archive); err != nil {
				if errors.Is(err, ErrChecksum) || errors.Is(err, ErrArchive) {
					err = fmt.Errorf("%w (remove %s to download the archive instead)", err, archive)
				}
				return "", err
			}
			r.progress(f, "done, sha256 verified")
			return dest, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
	}

	var lastErr error
	urls := append([]string{f.URL}, f.Mirrors...)
	for _, raw := range urls {
		u := r.rewrite(raw)
		host := hostOf(u)
		if e, ok := r.dead[host]; ok {
			lastErr = e
			continue
		}
		err := r.download(ctx, f, dest, u)
		if err == nil {
			return dest, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var fe *fetchError
		if !errors.As(err, &fe) {
			return "", err // checksum, archive or local file system error
		}
		if fe.unreachable {
			r.dead[host] = fe
		}
		r.progress(f, "failed: %v", fe)
		lastErr = fe
	}
	m := MissingFile{File: f, URL: r.rewrite(f.URL), Path: dest, Err: lastErr}
	if f.Member != "" {
		m.Path = filepath.Join(filepath.Dir(dest), f.ArchiveName())
		m.Extract = dest
	}
	r.missing = append(r.missing, m)
	return "", nil
}

// fetchError is a failure to fetch an address: the host could not be
// reached (unreachable) or answered with an error, or the connection broke.
type fetchError struct {
	url, host   string
	unreachable bool
	err         error
}

// Error names the host unless the underlying error does: a failed dial
// names the address, a failed lookup the name.
func (e *fetchError) Error() string {
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(e.err, &de) || errors.As(e.err, &oe) && oe.Addr != nil {
		return e.err.Error()
	}
	return e.host + ": " + e.err.Error()
}
func (e *fetchError) Unwrap() error { return e.err }

// sourceError marks an error reading from the network (as opposed to
// writing the file or decoding an archive).
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

type sourceReader struct{ r io.Reader }

func (s sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sourceError{err}
	}
	return n, err
}

// download fetches u into dest (extracting f.Member if set).
func (r *fetchRun) download(ctx context.Context, f File, dest, u string) error {
	host := hostOf(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%s: %s: bad address %q: %w", r.ds.Name, f.Name, u, err)
	}
	client := r.d.Client
	if client == nil {
		client = http.DefaultClient
	}
	what := FormatSize(f.Size)
	if f.Member != "" {
		what = f.Member + ", " + what
	}
	r.progress(f, "downloading %s (%s)", u, what)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &fetchError{url: u, host: host, unreachable: true, err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return &fetchError{url: u, host: host, err: fmt.Errorf("HTTP %s", resp.Status)}
	}
	body := sourceReader{resp.Body}
	if f.Member != "" {
		err = r.extract(ctx, f, dest, body, u)
	} else {
		err = r.write(f, dest, body, u)
	}
	var se *sourceError
	if errors.As(err, &se) {
		return &fetchError{url: u, host: host, err: fmt.Errorf("download broke off: %w", se.err)}
	}
	if err != nil {
		return err
	}
	r.progress(f, "done in %s, sha256 verified", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// extract copies member f.Member of the .tar.gz archive in src to dest,
// verifying it. source names the archive in errors.
func (r *fetchRun) extract(ctx context.Context, f File, dest string, src io.Reader, source string) error {
	zr, err := gzip.NewReader(src)
	if err != nil {
		return r.archiveError(source, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	want := path.Clean(f.Member)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("%s: %s has no member %s: %w", r.ds.Name, source, f.Member, ErrArchive)
		}
		if err != nil {
			return r.archiveError(source, err)
		}
		if path.Clean(strings.TrimPrefix(h.Name, "./")) != want {
			continue
		}
		if h.Typeflag != tar.TypeReg {
			return fmt.Errorf("%s: %s: member %s is not a regular file: %w", r.ds.Name, source, f.Member, ErrArchive)
		}
		err = r.write(f, dest, tr, source+" ("+f.Member+")")
		var se *sourceError
		if err != nil && !errors.As(err, &se) && !errors.Is(err, ErrChecksum) && !isLocalFSError(err) {
			return r.archiveError(source, err)
		}
		return err
	}
}

func (r *fetchRun) archiveError(source string, err error) error {
	var se *sourceError
	if errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("%s: %s is not a valid .tar.gz archive: %w: %w", r.ds.Name, source, ErrArchive, err)
}

// localFSError marks a failure of the local file system (creating, writing,
// renaming the file).
type localFSError struct{ err error }

func (e *localFSError) Error() string { return e.err.Error() }
func (e *localFSError) Unwrap() error { return e.err }

func isLocalFSError(err error) bool {
	var le *localFSError
	return errors.As(err, &le)
}

// write copies src to a temporary file next to dest while hashing it,
// checks the size and SHA-256 against f and renames it to dest. On any
// failure the temporary file is removed. source names the data's origin in
// errors.
func (r *fetchRun) write(f File, dest string, src io.Reader, source string) (err error) {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &localFSError{err}
	}
	tmp, err := os.CreateTemp(dir, "."+f.Name+".*.part")
	if err != nil {
		return &localFSError{err}
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	limit := f.Size + 1 // read one byte more than expected to detect a longer file
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(src, limit))
	if err != nil {
		var se *sourceError
		if errors.As(err, &se) {
			return err
		}
		if isWriteError(err, tmp.Name()) {
			return &localFSError{fmt.Errorf("writing %s: %w", dest, err)}
		}
		return err // decoding error from an archive reader
	}
	got := hex.EncodeToString(h.Sum(nil))
	if n != f.Size || got != f.SHA256 {
		ce := &ChecksumError{Dataset: r.ds.Name, File: f.Name, Source: source,
			WantSize: f.Size, GotSize: n, WantSHA256: f.SHA256, GotSHA256: got}
		if n > f.Size {
			ce.GotSize, ce.GotSHA256 = -1, ""
		}
		return ce
	}
	if err := tmp.Chmod(0o644); err != nil {
		return &localFSError{err}
	}
	if err := tmp.Sync(); err != nil {
		return &localFSError{err}
	}
	if err := tmp.Close(); err != nil {
		return &localFSError{err}
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return &localFSError{err}
	}
	return nil
}

// isWriteError reports whether err came from writing the file name.
func isWriteError(err error, name string) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Path == name
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	return p.Host
}

// ChecksumError reports a file whose size or SHA-256 is not the expected
// one. The data was discarded (a file already in place is left alone; it
// is only ever replaced by a verified one).
type ChecksumError struct {
	Dataset, File string // dataset and file name
	Source        string // the address or archive the data came from
	WantSize      int64
	GotSize       int64 // -1: larger than WantSize (reading stopped there)
	WantSHA256    string
	GotSHA256     string // "" when GotSize is -1
}

// Error names the dataset, the file, its source and both checksums.
func (e *ChecksumError) Error() string {
	if e.GotSize < 0 {
		return fmt.Sprintf("%s: %s from %s is larger than the expected %d bytes (want sha256 %s); it was discarded",
			e.Dataset, e.File, e.Source, e.WantSize, e.WantSHA256)
	}
	return fmt.Sprintf("%s: %s from %s has sha256 %s (%d bytes), want sha256 %s (%d bytes); it was discarded",
		e.Dataset, e.File, e.Source, e.GotSHA256, e.GotSize, e.WantSHA256, e.WantSize)
}

// Unwrap returns ErrChecksum.
func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// MissingFile is a file that could not be downloaded, and how to provide it
// by hand.
type MissingFile struct {
	File File
	URL  string // the address to download (File.URL after Downloader.Rewrite)
	Path string // the full path to place the download at
	// Extract is set when URL is an archive: the path at which the member
	// File.Member goes, should one extract it by hand instead of placing the
	// archive at Path.
	Extract string
	Err     error // why the last attempt failed
}

// DownloadError reports the files of a dataset that could not be fetched.
// Its message is one line saying, for every such file, which address to
// download and where to put it.
type DownloadError struct {
	Dataset string
	Files   []MissingFile
}

// Error is one line: why the host(s) failed, then for each file "download
// URL and place it at PATH".
func (e *DownloadError) Error() string {
	var b strings.Builder
	// The reasons, one per host, in order.
	var hosts, reasons []string
	unreachable := true
	seen := map[string]bool{}
	for _, m := range e.Files {
		var fe *fetchError
		if !errors.As(m.Err, &fe) {
			unreachable = false
			if m.Err != nil && !seen[m.Err.Error()] {
				seen[m.Err.Error()] = true
				reasons = append(reasons, m.Err.Error())
			}
			continue
		}
		if !fe.unreachable {
			unreachable = false
		}
		if !seen[fe.host] {
			seen[fe.host] = true
			hosts = append(hosts, fe.host)
			reasons = append(reasons, fe.Error())
		}
	}
	if unreachable {
		b.WriteString("cannot reach " + e.Dataset + "'s host")
		if len(hosts) > 1 {
			b.WriteString("s")
		}
	} else {
		b.WriteString("cannot download " + e.Dataset)
	}
	if len(reasons) > 0 {
		b.WriteString(" (" + strings.Join(reasons, "; ") + ")")
	}
	b.WriteString(": ")
	for i, m := range e.Files {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "download %s and place it at %s", m.URL, m.Path)
		if m.Extract != "" {
			fmt.Fprintf(&b, " (or extract its member %s to %s)", m.File.Member, m.Extract)
		}
	}
	b.WriteString("; then run again")
	return b.String()
}

// Unwrap returns ErrDownload and the files' errors.
func (e *DownloadError) Unwrap() []error {
	errs := []error{ErrDownload}
	for _, m := range e.Files {
		if m.Err != nil {
			errs = append(errs, m.Err)
		}
	}
	return errs
}

// FileState says whether a dataset file is in the cache.
type FileState int

const (
	// FileMissing: no file at the path.
	FileMissing FileState = iota
	// FileVerified: the file is there with the right size and SHA-256.
	FileVerified
	// FileMismatch: a file is there but its size or SHA-256 is wrong.
	FileMismatch
)

// String returns "missing", "verified" or "mismatch".
func (s FileState) String() string {
	switch s {
	case FileMissing:
		return "missing"
	case FileVerified:
		return "verified"
	case FileMismatch:
		return "mismatch"
	}
	return fmt.Sprintf("FileState(%d)", int(s))
}

// FileStatus is the state of one file of a dataset in the cache.
type FileStatus struct {
	File   File
	Path   string
	State  FileState
	Size   int64  // size on disk (0 when FileMissing)
	SHA256 string // SHA-256 on disk; "" when FileMissing or when the size already differs
}

func (s FileStatus) mismatch(f File) string {
	if s.SHA256 == "" {
		return fmt.Sprintf("%d bytes, want %d", s.Size, f.Size)
	}
	return fmt.Sprintf("sha256 %s, want %s", s.SHA256, f.SHA256)
}

// Check reports the state of each file of ds in the cache, hashing the
// files present. It makes no request.
func (d *Downloader) Check(ds Dataset) ([]FileStatus, error) {
	out := make([]FileStatus, 0, len(ds.Files))
	for _, f := range ds.Files {
		p, err := d.Path(ds, f)
		if err != nil {
			return nil, err
		}
		st, err := checkFile(p, f)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// checkFile hashes the file at p if its size is f's.
func checkFile(p string, f File) (FileStatus, error) {
	st := FileStatus{File: f, Path: p}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if !fi.Mode().IsRegular() {
		return st, fmt.Errorf("%s is not a regular file", p)
	}
	st.Size = fi.Size()
	st.State = FileMismatch
	if st.Size != f.Size {
		return st, nil
	}
	fh, err := os.Open(p)
	if err != nil {
		return st, err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return st, fmt.Errorf("reading %s: %w", p, err)
	}
	st.SHA256 = hex.EncodeToString(h.Sum(nil))
	if st.SHA256 == f.SHA256 {
		st.State = FileVerified
	}
	return st, nil
}

// FormatSize writes a byte count in decimal units: "512 B", "26.4 MB".
func FormatSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
