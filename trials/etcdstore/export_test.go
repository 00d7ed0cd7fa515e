package etcdstore

import (
	"context"
	"sync/atomic"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Lease returns the worker's current lease.
func (s *Store) Lease() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(s.lease)
}

// Crash stops the worker as a SIGKILL would: no more keep-alives, no
// revoke; its lease expires after its TTL.
func (s *Store) Crash() {
	s.cancel()
	s.wg.Wait()
	_ = s.cli.Close()
}

// RevokeFromOutside expires the worker's lease now, as the cluster does
// to a worker stopped past its TTL, while the worker goes on.
func (s *Store) RevokeFromOutside() error {
	_, err := s.cli.Revoke(context.Background(), s.currentLease())
	return err
}

// NewUnwatched is New without the watch on claims.
func NewUnwatched(o Options) (*Store, error) { return newStore(o, false) }

// WatchFrom starts the watch on claims from revision rev, as a watcher cut
// off since then resumes; it runs until Close.
func (s *Store) WatchFrom(rev int64) {
	s.wg.Add(1)
	go s.follow(rev)
}

// Scans counts the full loads of the worker's view since New.
func (s *Store) Scans() int64 { return s.scans.Load() }

// Requests counts a worker's requests to etcd by kind.
type Requests struct {
	Range, Put, Delete, Do atomic.Int64
	// WriteTxn are transactions with a write in either branch: etcd
	// commits them through raft, a synced write each. ReadTxn are the
	// others, served as linearizable reads.
	WriteTxn, ReadTxn atomic.Int64
}

// CountRequests makes s count its requests into r.
func CountRequests(s *Store, r *Requests) { s.cli.KV = &countingKV{KV: s.cli.KV, r: r} }

type countingKV struct {
	clientv3.KV
	r *Requests
}

func (k *countingKV) Put(ctx context.Context, key, val string, opts ...clientv3.OpOption) (*clientv3.PutResponse, error) {
	k.r.Put.Add(1)
	return k.KV.Put(ctx, key, val, opts...)
}

func (k *countingKV) Get(ctx context.Context, key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	k.r.Range.Add(1)
	return k.KV.Get(ctx, key, opts...)
}

func (k *countingKV) Delete(ctx context.Context, key string, opts ...clientv3.OpOption) (*clientv3.DeleteResponse, error) {
	k.r.Delete.Add(1)
	return k.KV.Delete(ctx, key, opts...)
}

func (k *countingKV) Do(ctx context.Context, op clientv3.Op) (clientv3.OpResponse, error) {
	k.r.Do.Add(1)
	return k.KV.Do(ctx, op)
}

func (k *countingKV) Txn(ctx context.Context) clientv3.Txn {
	return &countingTxn{Txn: k.KV.Txn(ctx), r: k.r}
}

type countingTxn struct {
	clientv3.Txn
	r     *Requests
	write bool
}

func (t *countingTxn) note(ops []clientv3.Op) {
	for _, op := range ops {
		if !op.IsGet() {
			t.write = true
		}
	}
}

func (t *countingTxn) If(cs ...clientv3.Cmp) clientv3.Txn { t.Txn = t.Txn.If(cs...); return t }
func (t *countingTxn) Then(ops ...clientv3.Op) clientv3.Txn {
	t.note(ops)
	t.Txn = t.Txn.Then(ops...)
	return t
}
func (t *countingTxn) Else(ops ...clientv3.Op) clientv3.Txn {
	t.note(ops)
	t.Txn = t.Txn.Else(ops...)
	return t
}
func (t *countingTxn) Commit() (*clientv3.TxnResponse, error) {
	if t.write {
		t.r.WriteTxn.Add(1)
	} else {
		t.r.ReadTxn.Add(1)
	}
	return t.Txn.Commit()
}

// Revision returns the cluster's current revision: it moves with every
// change to any key.
func (s *Store) Revision() (int64, error) {
	resp, err := s.cli.Get(context.Background(), s.p+"/schema", clientv3.WithCountOnly())
	if err != nil {
		return 0, err
	}
	return resp.Header.Revision, nil
}

// ChunkKeys counts the checkpoint chunks stored for trial id.
func (s *Store) ChunkKeys(id int) (int64, error) {
	resp, err := s.cli.Get(context.Background(), s.chunksOf(id), clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, err
	}
	return resp.Count, nil
}
