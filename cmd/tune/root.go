package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// errInterrupted ends a search stopped by a signal; main exits with 130.
var errInterrupted = errors.New("interrupted; run the same command again to resume")

// NewRootCommand returns the tune command and its subcommands. Output goes
// to the command's OutOrStdout; errors are returned, not printed, and no
// usage is printed on an error.
func NewRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tune",
		Short: "Tune the hyperparameters of a neural network",
		Long: `tune searches the hyperparameters of a neural network, like Keras Tuner.

A study file (YAML) names the data, the hyperparameters to tune and the
search settings; "tune search" runs the trials and stores them in the
project's directory, and "tune report" lists the best ones. A search that
is interrupted resumes where it stopped when run again.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
	}
	root.AddCommand(newSearchCommand(), newReportCommand())
	return root
}
