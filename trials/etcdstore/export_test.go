package etcdstore

import "context"

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
	go s.watchClaims(rev)
}

// Scans counts the full scans for dead workers' trials since New.
func (s *Store) Scans() int64 { return s.scans.Load() }
