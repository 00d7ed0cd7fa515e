package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// Client is a read-only trials.Store: the store a search holds, read
// through its Server. Reads see the search's state at the moment of each
// call, running trials with their latest epoch included. The one change it
// makes is Enqueue, which the serving process makes in its store (the
// running search takes the values for its next new trial); every other
// change fails with an error wrapping trials.ErrReadOnly. It is safe for
// concurrent use.
type Client struct {
	path string // the socket
	hc   *http.Client
}

var _ trials.Store = (*Client)(nil)

// Timeout bounds each read of a Client.
const Timeout = 30 * time.Second

// Dial connects to the Server of the store at dbPath and checks that it
// answers. Without a socket there, or with nobody answering on it, the
// error wraps ErrNoServer.
func Dial(dbPath string) (*Client, error) {
	path := SocketPath(dbPath)
	c := &Client{path: path, hc: &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			DialContext: func(context.Context, string, string) (net.Conn, error) {
				return dial(path)
			},
			MaxIdleConns:    2,
			IdleConnTimeout: 30 * time.Second,
		},
	}}
	if _, err := c.Version(); err != nil {
		c.Close()
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%s: %w", path, ErrNoServer)
		}
		return nil, err
	}
	return c, nil
}

// get reads path's answer; a failed read comes back as a *RemoteError.
func (c *Client) get(path string) ([]byte, error) {
	// The host is never used: every connection is to the socket.
	resp, err := c.hc.Get("http://tune" + path)
	if err != nil {
		return nil, fmt.Errorf("live read %s: %w", c.path, err)
	}
	return c.answer("read", resp)
}

// answer reads a response's body; a failed request comes back as a
// *RemoteError.
func (c *Client) answer(what string, resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("live %s %s: %w", what, c.path, err)
	}
	if resp.StatusCode/100 != 2 {
		rerr, err := decodeError(data)
		if err != nil {
			return nil, fmt.Errorf("live %s %s: status %d: %w", what, c.path, resp.StatusCode, err)
		}
		return nil, rerr
	}
	return data, nil
}

// Study returns the study definition, or an error wrapping
// trials.ErrNoStudy.
func (c *Client) Study() (*trials.StudyRecord, error) {
	data, err := c.get(pathStudy)
	if err != nil {
		return nil, err
	}
	return decodeStudy(data)
}

// Trials returns every trial in id order.
func (c *Client) Trials() ([]*trials.Trial, error) {
	data, err := c.get(pathTrials)
	if err != nil {
		return nil, err
	}
	return decodeTrials(data)
}

// Trial returns one trial, or an error wrapping trials.ErrNoTrial.
func (c *Client) Trial(id int) (*trials.Trial, error) {
	data, err := c.get(pathTrial + strconv.Itoa(id))
	if err != nil {
		return nil, err
	}
	return decodeTrial(data, id)
}

// Checkpoint returns a trial's checkpoint, or an error wrapping
// trials.ErrNoCheckpoint.
func (c *Client) Checkpoint(id int) ([]byte, error) {
	return c.get(pathCheckpoint + strconv.Itoa(id))
}

// Version returns the store's version: it changes after every change.
func (c *Client) Version() (uint64, error) {
	data, err := c.get(pathVersion)
	if err != nil {
		return 0, err
	}
	return decodeVersion(data)
}

// Close drops the connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

func (c *Client) readOnly() error { return fmt.Errorf("%s: %w", c.path, trials.ErrReadOnly) }

// PutStudy fails: a Client only reads.
func (c *Client) PutStudy(*trials.StudyRecord) error { return c.readOnly() }

// Reset fails: a Client only reads.
func (c *Client) Reset(*trials.StudyRecord) error { return c.readOnly() }

// Create fails: a Client only reads.
func (c *Client) Create(*trials.Trial) (*trials.Trial, error) { return nil, c.readOnly() }

// Propose fails without calling propose: a Client only reads.
func (c *Client) Propose(func([]*trials.Trial) (*trials.Trial, error)) (*trials.Trial, error) {
	return nil, c.readOnly()
}

// Claim fails: a Client only reads.
func (c *Client) Claim() (*trials.Trial, bool, error) { return nil, false, c.readOnly() }

// AppendEpoch fails: a Client only reads.
func (c *Client) AppendEpoch(int, trials.Epoch) error { return c.readOnly() }

// Finish fails: a Client only reads.
func (c *Client) Finish(int, trials.Result) error { return c.readOnly() }

// Requeue fails: a Client only reads.
func (c *Client) Requeue(int, string) error { return c.readOnly() }

// RequeueRunning fails: a Client only reads.
func (c *Client) RequeueRunning() (int, error) { return 0, c.readOnly() }

// PutCheckpoint fails: a Client only reads.
func (c *Client) PutCheckpoint(int, []byte) error { return c.readOnly() }

// Enqueue queues v in the served store, as its Enqueue does: the values
// are the serving process's to check no more than a store checks them.
func (c *Client) Enqueue(v hp.Values) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("live enqueue %s: %w", c.path, err)
	}
	resp, err := c.hc.Post("http://tune"+pathQueue, "application/json", bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("live enqueue %s: %w", c.path, err)
	}
	_, err = c.answer("enqueue", resp)
	return err
}

// Queued returns the served store's queued values, oldest first.
func (c *Client) Queued() ([]hp.Values, error) {
	data, err := c.get(pathQueue)
	if err != nil {
		return nil, err
	}
	return decodeQueued(data)
}
