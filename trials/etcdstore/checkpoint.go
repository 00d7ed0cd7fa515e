package etcdstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/trials"
)

// chunkSize keeps every request well under etcd's default limit of
// 1.5 MiB per request.
const chunkSize = 512 << 10

// pointer is the record naming a trial's checkpoint chunks.
type pointer struct {
	Hash   string `json:"hash"`
	Size   int    `json:"size"`
	Chunks int    `json:"chunks"`
}

// inlineLimit bounds a Finish that carries its checkpoint's single chunk:
// record and chunk together stay well under etcd's request limit.
const inlineLimit = 1 << 20

// PutCheckpoint keeps data as the checkpoint of Running trial id, to be
// written with the trial's Finish: a checkpoint matters once the trial has
// ended (the best trials' weights, a parent's for its promotions), and
// the one of an attempt that does not end is deleted when the trial is
// claimed again. Until then this worker's Checkpoint returns it.
func (s *Store) PutCheckpoint(id int, data []byte) error {
	c := s.held(id)
	if c == nil {
		return s.notHeld(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	if s.held(id) != c {
		return s.notHeld(id)
	}
	c.weights, c.hasWeights = bytes.Clone(data), true
	if c.weights == nil {
		c.weights = []byte{}
	}
	return nil
}

// finishCheckpoint returns the operations that store claim c's unwritten
// checkpoint in trial id's Finish (none when there is none, or when the
// Finish drops it). A checkpoint too big for that one request has its
// chunks written first under the content's hash, each fenced on the claim
// as the Finish is, unreachable until the Finish's pointer names them.
// Chunks of an attempt that does not finish are deleted when the trial is
// claimed again or reaped, never by the worker that lost it: the next
// attempt may be writing the same bytes under the same keys. c.mu is held.
func (s *Store) finishCheckpoint(id int, c *claim, dropped bool) ([]clientv3.Op, error) {
	if !c.hasWeights || dropped {
		return nil, nil
	}
	data := c.weights
	sum := sha256.Sum256(data)
	p := pointer{Hash: hex.EncodeToString(sum[:16]), Size: len(data)}
	dir := s.chunksOf(id) + p.Hash + "/"
	var ops []clientv3.Op
	for ; p.Chunks == 0 || p.Chunks*chunkSize < len(data); p.Chunks++ {
		chunk := clientv3.OpPut(fmt.Sprintf("%s%06d", dir, p.Chunks), string(data[p.Chunks*chunkSize:min((p.Chunks+1)*chunkSize, len(data))]))
		ops = append(ops, chunk)
	}
	rec, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if len(ops) > 1 || len(c.data)+len(data) > inlineLimit {
		ctx, cancel := s.op()
		defer cancel()
		fence := []clientv3.Cmp{
			clientv3.Compare(clientv3.ModRevision(s.trialKey(id)), "=", c.rev),
			clientv3.Compare(clientv3.LeaseValue(s.claimKey(id)), "=", c.lease),
		}
		for _, op := range ops {
			// A chunk written twice (an answer lost) holds the same bytes.
			var tx *clientv3.TxnResponse
			err := retry(ctx, func() (err error) { tx, err = s.cli.Txn(ctx).If(fence...).Then(op).Commit(); return err })
			if err != nil {
				return nil, s.etcdErr(fmt.Sprintf("trial %d: checkpoint", id), err)
			}
			if !tx.Succeeded {
				s.release(id, c)
				return nil, claimLost(id)
			}
		}
		ops = nil
	}
	// The trial has no stored checkpoint to replace: claiming it deleted
	// the last attempt's.
	return append(ops, clientv3.OpPut(s.ckptKey(id), string(rec))), nil
}

// Checkpoint returns the checkpoint of trial id, or an error wrapping
// ErrNoCheckpoint (and ErrNoTrial if the trial does not exist): this
// worker's unwritten one for a trial it runs, else the stored one. The
// pointer and its chunks are read at one revision and checked against
// the pointer's hash.
func (s *Store) Checkpoint(id int) ([]byte, error) {
	if c := s.held(id); c != nil {
		c.mu.Lock()
		w, ok := bytes.Clone(c.weights), c.hasWeights
		c.mu.Unlock()
		if ok {
			if w == nil {
				w = []byte{}
			}
			return w, nil
		}
	}
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.cli.Txn(ctx).Then(
		clientv3.OpGet(s.ckptKey(id)), clientv3.OpGet(s.trialKey(id), clientv3.WithKeysOnly()),
	).Commit()
	if err != nil {
		return nil, s.etcdErr(fmt.Sprintf("trial %d: checkpoint", id), err)
	}
	ptrs := resp.Responses[0].GetResponseRange().Kvs
	if len(ptrs) == 0 {
		if len(resp.Responses[1].GetResponseRange().Kvs) == 0 {
			return nil, fmt.Errorf("trial %d: %w (%w)", id, trials.ErrNoTrial, trials.ErrNoCheckpoint)
		}
		return nil, fmt.Errorf("trial %d: %w", id, trials.ErrNoCheckpoint)
	}
	var p pointer
	if err := json.Unmarshal(ptrs[0].Value, &p); err != nil {
		return nil, s.corrupt(fmt.Sprintf("trial %d: checkpoint pointer", id), err)
	}
	chunks, err := s.get(ctx, s.chunksOf(id)+p.Hash+"/", clientv3.WithPrefix(), clientv3.WithRev(resp.Header.Revision))
	if err != nil {
		return nil, s.etcdErr(fmt.Sprintf("trial %d: checkpoint", id), err)
	}
	out := make([]byte, 0, p.Size)
	for _, kv := range chunks.Kvs {
		out = append(out, kv.Value...)
	}
	sum := sha256.Sum256(out)
	if len(chunks.Kvs) != p.Chunks || len(out) != p.Size || !bytes.Equal(sum[:16], mustHex(p.Hash)) {
		return nil, s.corrupt(fmt.Sprintf("trial %d: checkpoint", id),
			fmt.Errorf("%d chunks of %d bytes do not match the pointer %+v", len(chunks.Kvs), len(out), p))
	}
	return out, nil
}

func mustHex(h string) []byte {
	b, _ := hex.DecodeString(h)
	return b
}

// dropCheckpoints returns the operations deleting the checkpoints of ids
// (pointers and chunks), for Finish's transaction.
func (s *Store) dropCheckpoints(ids []int) []clientv3.Op {
	var ops []clientv3.Op
	for _, id := range ids {
		if id >= 1 {
			ops = append(ops, clientv3.OpDelete(s.ckptKey(id)), clientv3.OpDelete(s.chunksOf(id), clientv3.WithPrefix()))
		}
	}
	return ops
}
