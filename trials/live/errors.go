package live

import "errors"

var (
	// ErrNoServer means no process serves live reads of the store: no
	// socket exists beside it, or nothing answers on it.
	ErrNoServer = errors.New("no search serves live reads of this store")
	// ErrProtocol means an answer from the serving process does not
	// decode: another program on the socket, or a different tune version.
	ErrProtocol = errors.New("live read: the answer does not decode")
	// ErrNotSocket means something other than a socket is in the way of
	// the server's socket.
	ErrNotSocket = errors.New("not a socket")
	// ErrPathTooLong means a socket path is too long for a unix socket
	// address on this system.
	ErrPathTooLong = errors.New("socket path too long")
)
