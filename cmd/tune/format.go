package main

import (
	"fmt"
	"strconv"
)

// formatValue formats a hyperparameter value; floats with strconv's format
// and precision (-1: the shortest exact form).
func formatValue(v any, format byte, prec int) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, format, prec, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
