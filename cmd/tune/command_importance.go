package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/importance"
	"github.com/tunekit/tune/trials"
)

type importanceFlags struct {
	projectFlags
	format string
}

func newImportanceCommand() *cobra.Command {
	var f importanceFlags
	cmd := &cobra.Command{
		Use:   "importance [--config study.yaml | --project DIR/NAME | --db FILE] [--format table|json]",
		Short: "How much each hyperparameter matters to the objective",
		Long: `importance measures each hyperparameter's importance with PED-ANOVA: how
differently its values are spread among the best 10% of the completed
trials than among all of them. Shares sum to 1; the divergence column is
the raw measure (0: the best trials look like all trials). It needs at
least 3 completed trials; more give a steadier answer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runImportance(cmd, f) },
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&f.format, "format", "f", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("table", "json"))
	return cmd
}

func runImportance(cmd *cobra.Command, f importanceFlags) error {
	if err := checkFormat(f.format, "table", "json"); err != nil {
		return err
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.needTrials(); err != nil {
		return err
	}
	imp, err := importance.FromTrials(p.study, p.trials, nil)
	switch {
	case errors.Is(err, importance.ErrTooFewTrials):
		n := 0
		for _, t := range p.trials {
			if t.Status == trials.Completed && t.Score != nil {
				n++
			}
		}
		return fmt.Errorf("project %s: importance needs at least %d completed trials, it has %d", p.dir, importance.MinTrials, n)
	case errors.Is(err, importance.ErrNoSpace):
		return fmt.Errorf("project %s tunes no hyperparameter", p.dir)
	case err != nil:
		return err
	}
	out := cmd.OutOrStdout()
	if f.format == "json" {
		return writeJSON(out, imp)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "hyperparameter\timportance\tdivergence\t\n")
	for _, x := range imp {
		fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\n", x.Name, x.Share, formatMetric(x.Divergence), bar(x.Share, 0, 1, goal.Maximize))
	}
	return tw.Flush()
}
