package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/tunekit/tune/trials"
)

// The json formats of show and export are written as writeJSON writes
// them (json.Encoder, two-space indent), byte for byte, but with each
// trial's history written an epoch at a time as it streams (see
// project.eachEpoch): the document is marshaled with a stand-in where the
// stream goes, and written around it. The stand-in is found by a key at a
// known depth, which a line break before it pins down: JSON strings hold
// no raw line break.

// writeTrialsJSON writes doc (whose trials field is an empty array) as
// writeJSON would with ts in that field, every epoch and best epoch
// counted from shift (0 as stored, 1 for export).
func writeTrialsJSON(w io.Writer, p *project, doc any, ts []*trials.Trial, shift int) error {
	text, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	marker := []byte("\n  \"trials\": []")
	i := bytes.Index(text, marker)
	if i < 0 {
		return fmt.Errorf("tune: export json: no trials field in %T", doc) // a programmer's error
	}
	bw := bufio.NewWriter(w)
	bw.Write(text[:i+len(marker)-1])
	for j, t := range ts {
		if j > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		if err := writeTrialJSON(bw, p, t, "    ", shift); err != nil {
			return err
		}
	}
	bw.WriteString("\n  ]")
	bw.Write(text[i+len(marker):])
	bw.WriteByte('\n')
	return bw.Flush()
}

// writeTrialJSON writes t as json.MarshalIndent(t, prefix, "  ") would
// with its history, epochs and best epoch counted from shift.
func writeTrialJSON(w *bufio.Writer, p *project, t *trials.Trial, prefix string, shift int) error {
	c := *t
	if c.Score != nil {
		c.BestEpoch += shift
	}
	c.History = []trials.Epoch{{}} // the stand-in
	text, err := json.MarshalIndent(&c, prefix, "  ")
	if err != nil {
		return err
	}
	elem := prefix + "    "
	standIn, err := json.MarshalIndent(trials.Epoch{}, elem, "  ")
	if err != nil {
		return err
	}
	key := "\n" + prefix + "  \"history\": [\n"
	marker := []byte(key + elem + string(standIn))
	i := bytes.Index(text, marker)
	if i < 0 {
		return fmt.Errorf("tune: json: no history stand-in in trial %d", t.ID) // a programmer's error
	}
	n := 0
	// MarshalIndent is Marshal, then Indent: the same bytes, from buffers
	// reused across the epochs.
	var compact []byte
	var indented bytes.Buffer
	err = p.eachEpoch(t, func(e trials.Epoch) error {
		if n == 0 {
			w.Write(text[:i+len(key)])
		} else {
			w.WriteString(",\n")
		}
		n++
		e.Epoch += shift
		compact = e.AppendJSON(compact[:0])
		indented.Reset()
		if err := json.Indent(&indented, compact, elem, "  "); err != nil {
			return err
		}
		w.WriteString(elem)
		_, err := w.Write(indented.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	if n > 0 {
		_, err = w.Write(text[i+len(marker):])
		return err
	}
	// No epoch: the history is left out, as omitempty leaves it.
	c.History = nil
	if text, err = json.MarshalIndent(&c, prefix, "  "); err != nil {
		return err
	}
	_, err = w.Write(text)
	return err
}

// writeShowJSON writes t as writeJSON(w, t) would, its history streamed.
func writeShowJSON(w io.Writer, p *project, t *trials.Trial) error {
	bw := bufio.NewWriter(w)
	if err := writeTrialJSON(bw, p, t, "", 0); err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}
