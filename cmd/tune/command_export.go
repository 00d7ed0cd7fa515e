package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

type exportFlags struct {
	projectFlags
	format, output string
}

func newExportCommand() *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export [--config study.yaml | --project DIR/NAME | --db FILE] [--format csv|json] [-o FILE]",
		Short: "Export every trial with its per-epoch metrics",
		Long: `export writes every trial of a project: hyperparameters, status, score,
best epoch, times, error, and every metric of every epoch (the learning
curves Keras Tuner cannot export), to standard output or to --output.

csv: one row per epoch of every execution of every trial, with columns
trial, status, score, best_epoch, attempt, seconds, error, each
hyperparameter, execution, epoch, then each metric; a trial that logged
no epoch has one row with the epoch columns empty.

json: {"objective", "direction", "oracle", "seed", "space", "trials"},
each trial as stored, its "history" holding the epochs.

Epochs and best epochs are counted from 1, as Keras prints them, in both
formats and in every other command (initial_epoch stays a count: the
epochs a warm-started trial's parent had trained).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runExport(cmd, f) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "csv", "output format: csv or json")
	fl.StringVarP(&f.output, "output", "o", "", "the file to write; default standard output")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("csv", "json"))
	_ = cmd.MarkFlagFilename("output", "csv", "json")
	return cmd
}

// exportJSON is the json format of tune export.
type exportJSON struct {
	Objective string          `json:"objective"`
	Direction goal.Direction  `json:"direction"`
	Oracle    string          `json:"oracle"`
	Seed      int64           `json:"seed"`
	Space     *hp.Space       `json:"space"`
	Trials    []*trials.Trial `json:"trials"`
	// Objectives and ParetoFront (trial ids) are set for a study of
	// several objectives.
	Objectives  []goal.Objective `json:"objectives,omitempty"`
	ParetoFront []int            `json:"pareto_front,omitempty"`
}

func runExport(cmd *cobra.Command, f exportFlags) error {
	if err := checkFormat(f.format, "csv", "json"); err != nil {
		return err
	}
	p, err := openProjectStreaming(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.needTrials(); err != nil {
		return err
	}
	out, err := createOutput(cmd, f.output)
	if err != nil {
		return err
	}
	if f.format == "json" {
		o := p.objective()
		err = writeTrialsJSON(out, p, exportJSON{Objective: o.Name, Direction: o.Direction, Oracle: p.study.Oracle,
			Seed: p.study.Seed, Space: p.study.Space, Trials: []*trials.Trial{},
			Objectives: p.multiObjectives(), ParetoFront: p.frontIDs()}, p.trials, 1)
	} else {
		err = writeExportCSV(out, p)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeExportCSV writes the csv format of tune export, a row as each
// epoch is read: it holds no trial's whole history. The cells a trial's
// rows share are encoded once, by encoding/csv; each epoch's cells are
// numbers, which csv never quotes, appended to them.
func writeExportCSV(w io.Writer, p *project) error {
	names := valueNames(allValues(p), p.paramNames())
	metrics, err := p.metricNames()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	var line bytes.Buffer
	lw := csv.NewWriter(&line)
	// encode returns rec as one csv line, without its line break.
	encode := func(rec []string) []byte {
		line.Reset()
		lw.Write(rec)
		lw.Flush()
		return bytes.TrimSuffix(line.Bytes(), []byte("\n"))
	}
	header := []string{"trial", "status", "score", "best_epoch", "attempt", "seconds", "error"}
	onFront := map[int]bool{}
	multi := p.multiObjectives() != nil
	if multi {
		// A study of several objectives says which trials are its front.
		header = append(header, "pareto")
		for _, id := range p.frontIDs() {
			onFront[id] = true
		}
	}
	header = append(header, names...)
	header = append(header, "execution", "epoch")
	bw.Write(encode(append(header, metrics...)))
	bw.WriteByte('\n')
	var row []byte
	for _, t := range p.trials {
		score, epoch := scoreCSV(t.Score, scoredEpoch(t))
		head := []string{strconv.Itoa(t.ID), string(t.Status), score, epoch, strconv.Itoa(t.Attempt),
			strconv.FormatFloat(duration(t).Seconds(), 'f', 3, 64), oneLine(t.Error)}
		if multi {
			head = append(head, strconv.FormatBool(onFront[t.ID]))
		}
		head = appendValuesCSV(head, t.Values, names)
		headCSV := bytes.Clone(encode(head))
		rows := 0
		err := p.eachEpoch(t, func(e trials.Epoch) error {
			row = append(append(row[:0], headCSV...), ',')
			row = strconv.AppendInt(row, int64(e.Execution), 10)
			row = append(row, ',')
			row = strconv.AppendInt(row, int64(e.Epoch+1), 10)
			for _, m := range metrics {
				row = append(row, ',')
				if v, ok := e.Metrics[m]; ok {
					row = strconv.AppendFloat(row, v, 'g', -1, 64)
				}
			}
			rows++
			row = append(row, '\n')
			_, err := bw.Write(row)
			return err
		})
		if err != nil {
			return err
		}
		if rows == 0 {
			bw.Write(encode(append(head, make([]string, 2+len(metrics))...)))
			bw.WriteByte('\n')
		}
	}
	if err := lw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// metricNames returns the metric names the project's trials logged, in
// metricNames' order, reading the epochs through eachEpoch.
func (p *project) metricNames() ([]string, error) {
	seen := map[string]bool{}
	for _, t := range p.trials {
		err := p.eachEpoch(t, func(e trials.Epoch) error {
			for k := range e.Metrics {
				seen[k] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for k := range t.Metrics {
			seen[k] = true
		}
	}
	return sortMetricNames(seen), nil
}
