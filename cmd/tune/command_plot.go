package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tunekit/tune/trials"
)

// plotKinds are the charts of tune plot.
var plotKinds = []string{"curves", "history", "hparams", "all"}

// errNothingToPlot is returned for a chart of no scored trial.
var errNothingToPlot = errors.New("no trial has a score yet: nothing to plot")

type plotFlags struct {
	projectFlags
	kind, output, format string
	top                  int
}

func newPlotCommand() *cobra.Command {
	var f plotFlags
	cmd := &cobra.Command{
		Use:   "plot [--kind curves|history|hparams|all] [-o FILE] [--format png|svg] [--top N] [--config study.yaml | --project DIR/NAME | --db FILE]",
		Short: "Draw a project's learning curves, history and hyperparameters as PNG or SVG",
		Long: `plot draws charts of a project with gonum.org/v1/plot:

  curves   the learning curves of the --top best trials: the loss and the
           objective's metric by epoch, training solid, validation dashed
  history  the objective of every trial by trial number, with the best
           score so far as a step line (pruned trials as triangles)
  hparams  the objective against each tuned hyperparameter, one scatter
           panel each (log axes for log-sampled ones, columns for
           choices), the best trial in red, as TensorBoard's HPARAMS view
  all      the three, each in its own file (the default)

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
	_ = cmd.RegisterFlagCompletionFunc("kind", completeWords(plotKinds...))
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("png", "svg"))
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
