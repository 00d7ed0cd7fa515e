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
search settings ("tune init" writes a commented one); "tune search" runs
the trials and stores them in the project's directory. A search that is
interrupted resumes where it stopped when run again.

The other commands read a project without changing it: report, best,
trials, show, export, plot, importance and dashboard; predict and
retrain use its best model.
Each finds the project from the study file (--config, default
study.yaml), the project directory (--project) or the store (--db).

Shell completion: see "tune completion --help".`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newInitCommand(), newSearchCommand(), newReportCommand(), newBestCommand(), newTrialsCommand(),
		newShowCommand(), newExportCommand(), newPlotCommand(), newPredictCommand(), newRetrainCommand(),
		newImportanceCommand(), newDashboardCommand(), newCompactCommand(), newDataCommand(), newWorkerCommand(), newVersionCommand())
	root.AddCommand(newEnqueueCommand())
	return root
}
