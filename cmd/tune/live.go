package main

import (
	"fmt"
	"io"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/live"
)

// serveLiveReads lets the read commands and dashboards of other
// processes read the project while the search holds its store, through
// the socket beside it (trials/live), until the returned function is
// called. A search that cannot serve runs on without it, after a warning.
func serveLiveReads(errw io.Writer, b *trials.Bolt) func() {
	srv, err := live.Serve(b, b.Path())
	if err != nil {
		fmt.Fprintf(errw, "warning: other commands cannot read the project while this search runs: %v\n", err)
		return func() {}
	}
	return func() { _ = srv.Close() }
}
