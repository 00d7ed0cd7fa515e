package etcdstore

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/hp"
)

// Queued values live under <prefix>/queue/<random name>, in the order of
// their keys' create revisions. A proposal takes the oldest by deleting it
// in the transaction that creates the trial, compared on its create
// revision: of two workers that read the same head, one creates the trial
// and the other reads again.

func (s *Store) queuePrefix() string { return s.p + "/queue/" }

func (s *Store) decodeQueued(kv *mvccpb.KeyValue) (hp.Values, error) {
	var v hp.Values
	if err := json.Unmarshal(kv.Value, &v); err != nil {
		return nil, s.corrupt(fmt.Sprintf("queued values %s", kv.Key), err)
	}
	return v, nil
}

// Enqueue adds v to the queue; see trials.Store.Enqueue.
func (s *Store) Enqueue(v hp.Values) error {
	if err := s.writable(); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("etcdstore: Enqueue: %w", err)
	}
	var name [12]byte
	if _, err := rand.Read(name[:]); err != nil {
		return fmt.Errorf("etcdstore: Enqueue: %w", err)
	}
	ctx, cancel := s.op()
	defer cancel()
	key := s.queuePrefix() + hex.EncodeToString(name[:])
	// The key's create revision orders the queue, so it must be new.
	resp, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(data))).Commit()
	if err != nil {
		return s.etcdErr("enqueue", err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("etcdstore: Enqueue: queue key %s exists", key)
	}
	s.noteWrite(resp.Header.Revision)
	return nil
}

// Queued returns the queued values, oldest first.
func (s *Store) Queued() ([]hp.Values, error) {
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.queuePrefix(), clientv3.WithPrefix(),
		clientv3.WithSort(clientv3.SortByCreateRevision, clientv3.SortAscend))
	if err != nil {
		return nil, s.etcdErr("queued", err)
	}
	out := make([]hp.Values, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		v, err := s.decodeQueued(kv)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
