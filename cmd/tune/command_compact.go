package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
)

func newCompactCommand() *cobra.Command {
	var f projectFlags
	cmd := &cobra.Command{
		Use:   "compact",
		Short: "Rewrite the project's store to return freed space to the disk",
		Long: `Compact rewrites the project's store file, keeping only what it holds now:
space left by deleted checkpoints and restarted studies goes back to the disk.
It refuses a store that a search has open, and a damaged one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := f.storePath(cmd)
			if err != nil {
				return err
			}
			if etcdstore.IsURL(path) {
				return fmt.Errorf("%s is an etcd study: compact its cluster with etcdctl compact and etcdctl defrag", path)
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no store at %s", path)
			}
			before, after, err := trials.Compact(path)
			if errors.Is(err, trials.ErrLocked) {
				return fmt.Errorf("%w: compact it when the search has ended", err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s → %s\n", path, data.FormatSize(before), data.FormatSize(after))
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
