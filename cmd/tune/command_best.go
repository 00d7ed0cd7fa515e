package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

type bestFlags struct {
	projectFlags
	format string
}

func newBestCommand() *cobra.Command {
	var f bestFlags
	cmd := &cobra.Command{
		Use:   "best [--config study.yaml | --project DIR/NAME | --db FILE] [--format text|json|yaml]",
		Short: "Print the best trial's hyperparameters and metrics",
		Long: `best prints the best completed trial of a project: its score, its
hyperparameters and every metric at its best epoch, like Keras Tuner's
get_best_hyperparameters.

Formats: text; json (trial, status, objective, direction, score,
best_epoch counted from 0, hyperparameters, metrics); yaml, a
hyperparameters section with the best values fixed, to paste into a
study file. A study of several objectives prints its Pareto front instead
(text or json; yaml takes the first objective's best).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBest(cmd, f) },
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&f.format, "format", "f", "text", "output format: text, json or yaml")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("text", "json", "yaml"))
	return cmd
}

// bestJSON is the json format of tune best.
type bestJSON struct {
	Trial           int                `json:"trial"`
	Status          trials.Status      `json:"status"`
	Objective       string             `json:"objective"`
	Direction       goal.Direction     `json:"direction"`
	Score           float64            `json:"score"`
	BestEpoch       int                `json:"best_epoch"`
	Hyperparameters hp.Values          `json:"hyperparameters"`
	Metrics         map[string]float64 `json:"metrics"`
}

func runBest(cmd *cobra.Command, f bestFlags) error {
	if err := checkFormat(f.format, "text", "json", "yaml"); err != nil {
		return err
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	if p.multiObjectives() != nil && f.format != "yaml" {
		return writeBestFront(cmd.OutOrStdout(), p, f.format)
	}
	t, err := p.bestTrial()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	o := p.objective()
	switch f.format {
	case "json":
		return writeJSON(out, bestJSON{Trial: t.ID, Status: t.Status, Objective: o.Name, Direction: o.Direction,
			Score: *t.Score, BestEpoch: t.BestEpoch + 1, Hyperparameters: t.Values, Metrics: t.Metrics})
	case "yaml":
		return writeBestYAML(out, p, t)
	}
	fmt.Fprintf(out, "best trial: %d of %d (%s)\n", t.ID, len(p.trials), t.Status)
	fmt.Fprintf(out, "%s: %s (%s), at epoch %d of %d\n", o.Name, formatMetric(*t.Score), o.Direction,
		t.BestEpoch+1, trialEpochs(t, lastEpoch(t)))
	fmt.Fprintln(out, "hyperparameters:")
	for _, name := range orderedNames(t.Values, p.paramNames()) {
		fmt.Fprintf(out, "  %s: %s\n", name, formatValue(t.Values[name], 'g', -1))
	}
	if len(t.Metrics) > 0 {
		fmt.Fprintln(out, "metrics at the best epoch:")
		for _, name := range sortedMetrics(t.Metrics) {
			fmt.Fprintf(out, "  %s: %s\n", name, formatMetric(t.Metrics[name]))
		}
	}
	return nil
}

// lastEpoch returns the number of epochs a trial logged.
func lastEpoch(t *trials.Trial) int {
	n := 0
	for _, e := range t.History {
		n = max(n, e.Epoch+1)
	}
	return n
}

// writeBestYAML writes the best values as a study's hyperparameters
// section.
func writeBestYAML(w io.Writer, p *project, t *trials.Trial) error {
	section := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range orderedNames(t.Values, p.paramNames()) {
		var v yaml.Node
		if err := v.Encode(t.Values[name]); err != nil {
			return err
		}
		section.Content = append(section.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &v)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "hyperparameters", HeadComment: fmt.Sprintf(
			"best trial %d of %s: %s %s (epoch %d)", t.ID, p.dir, p.objective().Name, formatMetric(*t.Score), t.BestEpoch+1)},
		section,
	}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}
