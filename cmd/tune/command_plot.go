package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// plotKinds are the charts of tune plot.
var plotKinds = []string{"curves", "history", "hparams", "pareto", "all"}

var (
	// errNothingToPlot is returned for a chart of no scored trial.
	errNothingToPlot = errors.New("no trial has a score yet: nothing to plot")
	// errOneObjective is returned for a Pareto plot of a study of one
	// objective.
	errOneObjective = errors.New("the study has one objective: a Pareto plot needs a study of several (objectives: in its study file)")
	// errUnknownObjective is returned for --objectives naming a metric
	// that is not one of the study's objectives.
	errUnknownObjective = errors.New("not an objective of the study")
	// errObjectiveCount is returned for --objectives naming other than
	// two objectives.
	errObjectiveCount = errors.New("want two objectives, separated by a comma")
)

type plotFlags struct {
	projectFlags
	kind, output, format string
	top                  int
	objectives           []string // the two of --kind pareto; nil: the study's first two
}

func newPlotCommand() *cobra.Command {
	var f plotFlags
	cmd := &cobra.Command{
		Use:   "plot [--kind curves|history|hparams|pareto|all] [-o FILE] [--format png|svg] [--top N] [--objectives A,B] [--config study.yaml | --project DIR/NAME | --db FILE]",
		Short: "Draw a project's learning curves, history, hyperparameters and Pareto front as PNG or SVG",
		Long: `plot draws charts of a project with gonum.org/v1/plot:

  curves   the learning curves of the --top best trials: the loss and the
           objective's metric by epoch, training solid, validation dashed
  history  the objective of every trial by trial number, with the best
           score so far as a step line (pruned trials as triangles)
  hparams  the objective against each tuned hyperparameter, one scatter
           panel each (log axes for log-sampled ones, columns for
           choices), the best trial in red, as TensorBoard's HPARAMS view
  pareto   a study of several objectives: every completed trial on two
           objectives (--objectives A,B; default the study's first two),
           the trials of its Pareto front in red, labelled with their ids
           (up to 25), joined by the attainment boundary, the step line
           that edges the region they dominate
  all      every kind that applies, each in its own file (the default):
           pareto only for a study of several objectives

curves, history and hparams show the study's first objective, the score.

The file is --output (the format from its extension, .png or .svg) or,
by default, NAME-KIND.png in the project's directory, NAME being the
project's; with --kind all, -KIND is added to the name given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPlot(cmd, f) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.kind, "kind", "k", "all", "the chart: curves, history, hparams or all")
	fl.StringVarP(&f.output, "output", "o", "", "the image file; default NAME-KIND.FORMAT")
	fl.StringVarP(&f.format, "format", "f", "png", "the image format when --output has no extension: png or svg")
	fl.IntVarP(&f.top, "top", "n", 5, "how many of the best trials the curves show")
	fl.StringSliceVar(&f.objectives, "objectives", nil, "the two objectives of the pareto plot, such as val_accuracy,params; default the study's first two")
	_ = cmd.RegisterFlagCompletionFunc("kind", completeWords(plotKinds...))
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("png", "svg"))
	_ = cmd.RegisterFlagCompletionFunc("objectives", completeObjectives(&f.projectFlags))
	_ = cmd.MarkFlagFilename("output", "png", "svg")
	return cmd
}

func runPlot(cmd *cobra.Command, f plotFlags) error {
	if err := checkFormat(f.format, "png", "svg"); err != nil {
		return err
	}
	if !slices.Contains(plotKinds, f.kind) {
		return fmt.Errorf("unknown kind %q (want %s)", f.kind, orList(plotKinds))
	}
	if f.top < 1 {
		return fmt.Errorf("--top %d: want 1 or more", f.top)
	}
	if f.objectives != nil {
		if f.kind != "pareto" && f.kind != "all" {
			return fmt.Errorf("--objectives is for --kind pareto (or all), not %s", f.kind)
		}
		if len(f.objectives) != 2 {
			return fmt.Errorf("--objectives %s: %w", strings.Join(f.objectives, ","), errObjectiveCount)
		}
	}
	base, format := f.output, f.format
	if ext := strings.ToLower(filepath.Ext(f.output)); ext != "" {
		format = strings.TrimPrefix(ext, ".")
		if err := checkFormat(format, "png", "svg"); err != nil {
			return fmt.Errorf("%s: %w", f.output, err)
		}
		base = strings.TrimSuffix(f.output, filepath.Ext(f.output))
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.needTrials(); err != nil {
		return err
	}
	name := filepath.Base(p.dir)
	kinds := []string{f.kind}
	if f.kind == "all" {
		kinds = plotKinds[:3]
		if p.multiObjectives() != nil {
			kinds = append(kinds, "pareto")
		}
	}
	var axes [2]goal.Objective // of the pareto plot
	if slices.Contains(kinds, "pareto") || f.objectives != nil {
		if axes, err = paretoAxes(p, f.objectives); err != nil {
			return err
		}
	}
	for _, kind := range kinds {
		path := base + "." + format
		switch {
		case base == "":
			// Inside the project, not wherever the command runs (a checkout).
			path = filepath.Join(p.outDir, name+"-"+kind+"."+format)
		case f.kind == "all":
			path = base + "-" + kind + "." + format
		}
		var fig *figure
		switch kind {
		case "curves":
			best := p.best(f.top, trials.WithPruned)
			if len(best) == 0 {
				return fmt.Errorf("project %s: %w", p.dir, errNothingToPlot)
			}
			fig, err = curvesFigure(name, best, p.objective())
		case "history":
			fig, err = historyFigure(name, p.trials, p.objective())
		case "hparams":
			fig, err = hparamsFigure(name, p.trials, p.objective(), p.study.Space, valueNames(allValues(p), p.paramNames()))
		case "pareto":
			fig, err = paretoFigure(name, p.trials, p.multiObjectives(), axes[0], axes[1])
		}
		if errors.Is(err, errNothingToPlot) {
			return fmt.Errorf("project %s: %w", p.dir, err)
		}
		if err != nil {
			return err
		}
		out, err := createOutput(cmd, path)
		if err != nil {
			return err
		}
		err = fig.write(out, format)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
	}
	return nil
}

// paretoAxes returns the objectives of the pareto plot: the two names
// given, or the study's first two.
func paretoAxes(p *project, names []string) ([2]goal.Objective, error) {
	objs := p.multiObjectives()
	if objs == nil {
		return [2]goal.Objective{}, fmt.Errorf("project %s: %w", p.dir, errOneObjective)
	}
	if names == nil {
		return [2]goal.Objective{objs[0], objs[1]}, nil
	}
	var axes [2]goal.Objective
	for i, name := range names {
		j := slices.IndexFunc(objs, func(o goal.Objective) bool { return o.Name == name })
		if j < 0 {
			return axes, fmt.Errorf("--objectives: %q is %w (%s)", name, errUnknownObjective, objectiveList(objs))
		}
		axes[i] = objs[j]
	}
	if axes[0].Name == axes[1].Name {
		return axes, fmt.Errorf("--objectives %s,%s: %w, not one twice", names[0], names[1], errObjectiveCount)
	}
	return axes, nil
}

// completeObjectives completes --objectives with the objectives of the
// project the flags name, after those already typed.
func completeObjectives(f *projectFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		p, err := openProject(cmd, f)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer p.Close()
		prefix := ""
		if i := strings.LastIndex(typed, ","); i >= 0 {
			prefix = typed[:i+1]
		}
		given := strings.Split(strings.TrimSuffix(prefix, ","), ",")
		var out []cobra.Completion
		for _, o := range p.multiObjectives() {
			if !slices.Contains(given, o.Name) {
				out = append(out, cobra.CompletionWithDesc(prefix+o.Name, string(o.Direction)))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}
