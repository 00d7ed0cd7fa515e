package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/data"
)

// dataBaseURLEnv names the environment variable that, when set, makes
// "tune data" fetch every file from $TUNE_DATA_BASE_URL/<host>/<path>
// instead of its canonical address https://<host>/<path>: a local mirror
// laid out by host, or a test server. Checksums are verified all the same.
const dataBaseURLEnv = "TUNE_DATA_BASE_URL"

// dataRegistry, when not nil, replaces the built-in datasets (for tests).
var dataRegistry []data.Dataset

func newDataCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Download the benchmark datasets and list them",
		Long: `data downloads the benchmark datasets into a cache directory and lists them.

Datasets: fashion-mnist (Zalando's four gzip IDX files), mnist (the original
four gzip IDX files, from the mirror torchvision uses) and california-housing
(StatLib's cal_housing.tgz, from which only CaliforniaHousing/cal_housing.data
is kept). Every file is checked for size and SHA-256 before it is put in
place; files already present and verified are not downloaded again.

The cache directory is --dir, else $TUNE_DATA_DIR, else the user cache
directory's tune/ (~/.cache/tune on Linux); each dataset goes in a
sub-directory named after it, so the cache is also a data directory for
$TUNE_DATA_DIR.

Without network access, "tune data get" says which addresses to download
by hand and the full path to place each file at. $TUNE_DATA_BASE_URL, if
set, fetches https://HOST/PATH from $TUNE_DATA_BASE_URL/HOST/PATH instead
(a local mirror).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// The root command silences these; so does this one when used alone.
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.PersistentFlags().StringVar(&dir, "dir", "", "the cache directory (default $TUNE_DATA_DIR, else the user cache directory's tune/)")

	get := &cobra.Command{
		Use:   "get NAME...",
		Short: "Download datasets into the cache and verify them",
		Long: `get downloads the named datasets (see "tune data list") into the cache
directory, verifies each file's size and SHA-256 and prints where they are.
Files already present and verified are kept; a file with a wrong checksum is
never put in place. When a host cannot be reached, the error lists each
missing file's address and the path to place it at.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runDataGet(cmd, dir, args) },
	}
	list := &cobra.Command{
		Use:   "list [NAME...]",
		Short: "List the datasets, their files and whether they are in the cache",
		Long: `list shows each dataset's files with their size, their path in the cache
directory and their state: verified (present with the right SHA-256),
missing, or checksum mismatch. It makes no network request.`,
		RunE: func(cmd *cobra.Command, args []string) error { return runDataList(cmd, dir, args) },
	}
	cmd.AddCommand(get, list)
	return cmd
}

// newDataDownloader returns the downloader of the data commands.
func newDataDownloader(dir string, progress io.Writer) *data.Downloader {
	d := &data.Downloader{Dir: dir, Progress: progress, Registry: dataRegistry}
	if base := os.Getenv(dataBaseURLEnv); base != "" {
		d.Rewrite = baseURLRewrite(base)
	}
	return d
}

// baseURLRewrite maps scheme://host/path to base/host/path.
func baseURLRewrite(base string) func(string) string {
	base = strings.TrimRight(base, "/")
	return func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return raw
		}
		s := base + "/" + u.Host + u.EscapedPath()
		if u.RawQuery != "" {
			s += "?" + u.RawQuery
		}
		return s
	}
}

// lookupDatasets resolves names, failing on the first unknown one (whose error
// lists the known names).
func lookupDatasets(d *data.Downloader, names []string) ([]data.Dataset, error) {
	var out []data.Dataset
	for _, n := range names {
		ds, err := d.Lookup(n)
		if err != nil {
			return nil, err
		}
		out = append(out, ds)
	}
	return out, nil
}

func runDataGet(cmd *cobra.Command, dir string, names []string) error {
	out := cmd.OutOrStdout()
	d := newDataDownloader(dir, out)
	sets, err := lookupDatasets(d, names)
	if err != nil {
		return err
	}
	cache, err := d.CacheDir()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Offline datasets do not stop the others, so that one error lists
	// every file to fetch by hand.
	var failed []error
	for _, ds := range sets {
		paths, err := d.Fetch(ctx, ds)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return errInterrupted
		}
		var de *data.DownloadError
		if errors.As(err, &de) {
			failed = append(failed, err)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d %s, %s, verified in %s\n", ds.Name, len(paths), dataPlural(len(paths), "file", "files"),
			data.FormatSize(ds.Size()), filepath.Join(cache, ds.Name))
	}
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return failed[0]
	}
	return dataErrors(failed)
}

// dataErrors joins errors on one line.
type dataErrors []error

func (e dataErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e dataErrors) Unwrap() []error { return e }

func runDataList(cmd *cobra.Command, dir string, names []string) error {
	out := cmd.OutOrStdout()
	d := newDataDownloader(dir, nil)
	sets := d.Datasets()
	if len(names) > 0 {
		var err error
		if sets, err = lookupDatasets(d, names); err != nil {
			return err
		}
	}
	cache, err := d.CacheDir()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "cache directory: %s\n\n", cache)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATASET\tFILE\tSIZE\tSTATUS\tPATH")
	for _, ds := range sets {
		st, err := d.Check(ds)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := s.State.String()
			if s.State == data.FileMismatch {
				state = "checksum mismatch"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ds.Name, s.File.Name, data.FormatSize(s.File.Size), state, s.Path)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nDownload with: tune data get NAME")
	return nil
}

func dataPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
