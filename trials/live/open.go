package live

import (
	"errors"
	"fmt"
	"time"

	"github.com/tunekit/tune/trials"
)

// Store is a store opened for reading by Open: a read-only *trials.Bolt
// or a *Client. Both have a Version.
type Store interface {
	trials.Store
	Version() (uint64, error)
}

// retry is how often Open tries the file and the socket again.
const retry = 50 * time.Millisecond

// Open opens the store at dbPath for reading: the file itself, read-only,
// when no process holds it for writing, or else a Client of the process
// that does. A process that holds the file may not serve it yet (a search
// starting) or any more (one ending); Open tries both again until timeout
// (0: trials.DefaultTimeout; negative: try once) and then fails with the
// error of the file, which wraps trials.ErrLocked.
func Open(dbPath string, timeout time.Duration) (Store, error) {
	if timeout == 0 {
		timeout = trials.DefaultTimeout
	}
	deadline := time.Now().Add(timeout)
	for {
		b, err := trials.Open(dbPath, &trials.Options{ReadOnly: true, Timeout: -1})
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, trials.ErrLocked) {
			return nil, err
		}
		c, derr := Dial(dbPath)
		if derr == nil {
			return c, nil
		}
		if !errors.Is(derr, ErrNoServer) {
			return nil, derr
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w, which serves no live reads", err)
		}
		time.Sleep(retry)
	}
}
