package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/live"
)

// storeOptions say how openStore opens a store.
type storeOptions struct {
	readOnly bool
	// For an etcd study: the worker's name in its claims (empty:
	// host-pid), its lease and the cap on trials enforced in the store
	// (0: none).
	worker    string
	ttl       time.Duration
	maxTrials int
}

// openStore opens the store a URL names: etcd://host:port[,…]/prefix for a
// study shared in etcd, anything else the path of a bbolt file. Read-only,
// a missing file is an error naming the project instead of a new store,
// and a file a search holds is read through the search (trials/live).
func openStore(url string, o storeOptions) (trials.Store, error) {
	if etcdstore.IsURL(url) {
		return etcdstore.OpenURL(url, &etcdstore.Options{ReadOnly: o.readOnly, Worker: o.worker, TTL: o.ttl, MaxTrials: o.maxTrials})
	}
	if o.readOnly {
		if _, err := os.Stat(url); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no project at %s: %s does not exist (run tune search first)", filepath.Dir(url), url)
		}
		// While a search holds the file, its live-read socket serves the
		// same reads.
		return live.Open(url, 0)
	}
	return trials.Open(url, nil)
}

// storeName is how messages name the project of a store URL: the
// directory of a bbolt file, or the etcd URL.
func storeName(url string) string {
	if etcdstore.IsURL(url) {
		return url
	}
	return filepath.Dir(url)
}

// outputDir is where a command writes files for a project by default: the
// project's directory, or, for an etcd study, the working directory.
func outputDir(url string) string {
	if etcdstore.IsURL(url) {
		return "."
	}
	return filepath.Dir(url)
}
