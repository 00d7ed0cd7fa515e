package trials_test

import (
	"path/filepath"
	"testing"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/storetest"
)

func TestBoltConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trials.Store {
		s, err := trials.Open(filepath.Join(t.TempDir(), "study.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
