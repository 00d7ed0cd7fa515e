package examplesetup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// StudyPath returns the study.yaml of the example (its directory's name
// under examples/), found from the repository root or from the example's
// own directory.
func StudyPath(example string) string {
	fromRoot := filepath.Join("examples", example, "study.yaml")
	for _, p := range []string{fromRoot, "study.yaml"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return fromRoot
}

// AbsPath makes a file named on the command line absolute, since a study
// resolves relative paths against its own directory. It fails when the
// file does not exist.
func AbsPath(p string) (string, error) {
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: no such file", p)
	}
	return filepath.Abs(p)
}
