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
