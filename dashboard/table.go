package dashboard

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tunekit/tune/trials"
)

// tableQuery is a request for one page of the trials table.
type tableQuery struct {
	sort     string // a column key
	desc     bool
	statuses []trials.Status
	ranges   []valueRange
	offset   int
	limit    int
}

// valueRange keeps the rows whose column lies in [lo, hi]; a missing
// bound is infinite. Rows without a number in the column are dropped.
type valueRange struct {
	column string
	lo, hi float64
}

// Table page sizes.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// parseTableQuery reads a table request:
//
//	sort=score&order=desc&status=completed,pruned&range=param:lr:0.001:0.01&offset=50&limit=50
//
// Column keys are id, status, score, best_epoch, epochs, seconds, started,
// param:NAME and metric:NAME. A range's bounds come after the column key's
// last two colons and may be empty.
func parseTableQuery(q url.Values) (tableQuery, error) {
	t := tableQuery{sort: "id", limit: defaultLimit}
	if s := q.Get("sort"); s != "" {
		t.sort = s
	}
	if err := checkColumn(t.sort); err != nil {
		return t, err
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		t.desc = true
	default:
		return t, fmt.Errorf("order %q: want asc or desc", q.Get("order"))
	}
	for _, list := range q["status"] {
		for s := range strings.SplitSeq(list, ",") {
			st := trials.Status(s)
			if !slices.Contains(allStatuses, st) {
				return t, fmt.Errorf("status %q: want one of %v", s, allStatuses)
			}
			t.statuses = append(t.statuses, st)
		}
	}
	for _, r := range q["range"] {
		i := strings.LastIndexByte(r, ':')
		j := -1
		if i > 0 {
			j = strings.LastIndexByte(r[:i], ':')
		}
		if j <= 0 {
			return t, fmt.Errorf("range %q: want COLUMN:LOW:HIGH", r)
		}
		vr := valueRange{column: r[:j], lo: math.Inf(-1), hi: math.Inf(1)}
		if err := checkColumn(vr.column); err != nil {
			return t, err
		}
		for k, s := range []string{r[j+1 : i], r[i+1:]} {
			if s == "" {
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) {
				return t, fmt.Errorf("range %q: bound %q is not a number", r, s)
			}
			if k == 0 {
				vr.lo = v
			} else {
				vr.hi = v
			}
		}
		t.ranges = append(t.ranges, vr)
	}
	var err error
	if t.offset, err = intParam(q, "offset", 0); err != nil {
		return t, err
	}
	if t.limit, err = intParam(q, "limit", defaultLimit); err != nil {
		return t, err
	}
	t.limit = min(max(t.limit, 1), maxLimit)
	return t, nil
}

func intParam(q url.Values, name string, def int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q: want a whole number, 0 or more", name, s)
	}
	return n, nil
}

var allStatuses = []trials.Status{trials.Pending, trials.Running, trials.Completed, trials.Failed, trials.Pruned, trials.Stopped}

var plainColumns = []string{"id", "status", "score", "best_epoch", "epochs", "seconds", "started"}

func checkColumn(key string) error {
	if slices.Contains(plainColumns, key) || strings.HasPrefix(key, "param:") || strings.HasPrefix(key, "metric:") {
		return nil
	}
	return fmt.Errorf("column %q: want one of %v, param:NAME or metric:NAME", key, plainColumns)
}

// cell is one row's value in a column: a number, a string, or missing.
type cell struct {
	num     float64
	str     string
	isStr   bool
	missing bool
}

func (r *row) cell(key string) cell {
	switch key {
	case "id":
		return cell{num: float64(r.ID)}
	case "status":
		return cell{str: string(r.Status), isStr: true}
	case "score":
		if r.Score == nil {
			return cell{missing: true}
		}
		return cell{num: *r.Score}
	case "best_epoch":
		if r.BestEpoch == nil {
			return cell{missing: true}
		}
		return cell{num: float64(*r.BestEpoch)}
	case "epochs":
		return cell{num: float64(r.Epochs)}
	case "seconds":
		return cell{num: r.Seconds}
	case "started":
		if r.Started.IsZero() {
			return cell{missing: true}
		}
		return cell{num: float64(r.Started.UnixNano())}
	}
	if name, ok := strings.CutPrefix(key, "metric:"); ok {
		if v, ok := r.Metrics[name].(float64); ok {
			return cell{num: v}
		}
		return cell{missing: true}
	}
	name := strings.TrimPrefix(key, "param:")
	switch v := r.Values[name].(type) {
	case int:
		return cell{num: float64(v)}
	case float64:
		return cell{num: v}
	case bool:
		if v {
			return cell{num: 1}
		}
		return cell{num: 0}
	case string:
		return cell{str: v, isStr: true}
	}
	return cell{missing: true}
}

// compareCells orders numbers before strings; missing cells are not
// compared here (they go last in either order).
func compareCells(a, b cell) int {
	switch {
	case a.isStr != b.isStr:
		if a.isStr {
			return 1
		}
		return -1
	case a.isStr:
		return strings.Compare(a.str, b.str)
	}
	return cmp.Compare(a.num, b.num)
}

// tablePage is the answer to a table request.
type tablePage struct {
	Total   int   `json:"total"`   // trials in the study
	Matched int   `json:"matched"` // trials passing the filters
	Offset  int   `json:"offset"`
	Limit   int   `json:"limit"`
	Rows    []row `json:"rows"`
}

// table filters, sorts and pages the snapshot's rows.
func (s *snapshot) table(q tableQuery) tablePage {
	idx := make([]int, 0, len(s.rows))
	for i := range s.rows {
		r := &s.rows[i]
		if len(q.statuses) > 0 && !slices.Contains(q.statuses, r.Status) {
			continue
		}
		keep := true
		for _, vr := range q.ranges {
			c := r.cell(vr.column)
			if c.missing || c.isStr || c.num < vr.lo || c.num > vr.hi {
				keep = false
				break
			}
		}
		if keep {
			idx = append(idx, i)
		}
	}
	if q.sort != "id" || q.desc {
		cells := make([]cell, len(s.rows))
		for _, i := range idx {
			cells[i] = s.rows[i].cell(q.sort)
		}
		slices.SortStableFunc(idx, func(i, j int) int {
			a, b := cells[i], cells[j]
			switch {
			case a.missing && b.missing:
				return cmp.Compare(s.rows[i].ID, s.rows[j].ID)
			case a.missing:
				return 1
			case b.missing:
				return -1
			}
			c := compareCells(a, b)
			if q.desc {
				c = -c
			}
			if c == 0 {
				c = cmp.Compare(s.rows[i].ID, s.rows[j].ID)
			}
			return c
		})
	}
	page := tablePage{Total: len(s.rows), Matched: len(idx), Offset: q.offset, Limit: q.limit, Rows: []row{}}
	for _, i := range idx[min(q.offset, len(idx)):min(q.offset+q.limit, len(idx))] {
		page.Rows = append(page.Rows, s.rows[i])
	}
	return page
}
