package etcdstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// PutCheckpoint stores data as the checkpoint of Running trial id. The
// chunks are written first under the content's hash, unfenced but
// unreachable; the pointer to them is then written in a transaction fenced
// on this worker's claim, which also deletes the previous chunks. A worker
// that lost its claim leaves no checkpoint behind.
func (s *Store) PutCheckpoint(id int, data []byte) error {
	if err := s.writable(); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	p := pointer{Hash: hex.EncodeToString(sum[:16]), Size: len(data)}
	ctx, cancel := s.op()
	defer cancel()
	c, ok := s.held(id)
	if !ok {
		// No write: the error says why (no trial, not running, lost).
		return s.fenced(id, func(*trials.Trial) error { return nil })
	}
	dir := s.chunksOf(id) + p.Hash + "/"
	var ops []clientv3.Op
	for ; p.Chunks == 0 || p.Chunks*chunkSize < len(data); p.Chunks++ {
		chunk := clientv3.OpPut(fmt.Sprintf("%s%06d", dir, p.Chunks), string(data[p.Chunks*chunkSize:min((p.Chunks+1)*chunkSize, len(data))]))
		ops = append(ops, chunk)
	}
	if len(ops) > 1 {
		// Too big for one request: the chunks go first, unreachable
		// until the fenced pointer names them.
		for _, op := range ops {
			if err := retry(ctx, func() error { _, err := s.cli.Do(ctx, op); return err }); err != nil {
				return s.etcdErr(fmt.Sprintf("trial %d: checkpoint", id), err)
			}
		}
		ops = nil
	}
	rec, err := json.Marshal(p)
	if err != nil {
		return err
	}
	ops = append(ops, clientv3.OpPut(s.ckptKey(id), string(rec)))
	if c.ckpt != "" && c.ckpt != p.Hash {
		ops = append(ops, clientv3.OpDelete(s.chunksOf(id)+c.ckpt+"/", clientv3.WithPrefix()))
	}
	err = s.fenced(id, func(*trials.Trial) error { return nil }, ops...)
	switch {
	case err == nil:
		s.setCheckpoint(id, p.Hash)
	case errors.Is(err, ErrClaimLost):
		s.dropChunks(ctx, id, string(rec))
	}
	return err
}

// setCheckpoint notes the hash of the checkpoint trial id now has.
func (s *Store) setCheckpoint(id int, hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.claims[id]; ok {
		c.ckpt = hash
		s.claims[id] = c
	}
}

// dropChunks deletes the chunks of a refused write, unless the trial's
// pointer is rec (the worker that now runs the trial wrote the same
// bytes).
func (s *Store) dropChunks(ctx context.Context, id int, rec string) {
	var p pointer
	_ = json.Unmarshal([]byte(rec), &p)
	drop := clientv3.OpDelete(s.chunksOf(id)+p.Hash+"/", clientv3.WithPrefix())
	k := s.ckptKey(id)
	_, _ = s.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).Then(drop).
		Else(clientv3.OpTxn([]clientv3.Cmp{clientv3.Compare(clientv3.Value(k), "!=", rec)}, []clientv3.Op{drop}, nil)).
		Commit()
}

// Checkpoint returns the checkpoint of trial id, or an error wrapping
// ErrNoCheckpoint (and ErrNoTrial if the trial does not exist). The
// pointer and its chunks are read at one revision and checked against
// the pointer's hash.
func (s *Store) Checkpoint(id int) ([]byte, error) {
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
