package live

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxSocketPath is the longest socket path bound or dialled as it is:
// sun_path holds 108 bytes on Linux and 104 on the BSDs, the final NUL
// included.
const maxSocketPath = 103

// SocketPath returns where the Server of the store at dbPath listens:
// beside the store, named like it with the extension ".sock"
// (DIR/study.db → DIR/study.sock).
func SocketPath(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".sock"
}

// reachable calls fn with a name for path that fits a socket address: the
// path itself when it is short enough, else, on Linux, the path through
// /proc/self/fd of its opened directory.
func reachable(path string, fn func(name string) error) error {
	if len(path) <= maxSocketPath {
		return fn(path)
	}
	if runtime.GOOS != "linux" {
		return fmt.Errorf("%s: %w (%d bytes, at most %d)", path, ErrPathTooLong, len(path), maxSocketPath)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	name := fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(path))
	if len(name) > maxSocketPath {
		return fmt.Errorf("%s: %w (its file name alone is too long)", path, ErrPathTooLong)
	}
	return fn(name)
}

// listen binds a unix socket at path with mode 0600. It binds in a new
// directory only the owner can enter, sets the mode, then renames the
// socket into place, so that the path never holds a socket others could
// connect to, and a stale socket there is replaced in one step.
// Something other than a socket at path is left alone (ErrNotSocket).
func listen(path string) (*net.UnixListener, fs.FileInfo, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() != fs.ModeSocket {
		return nil, nil, fmt.Errorf("live reads: %s is in the way: %w", path, ErrNotSocket)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".live-")
	if err != nil {
		return nil, nil, fmt.Errorf("live reads: %w", err)
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	var ln *net.UnixListener
	err = reachable(bound, func(name string) error {
		ln, err = net.ListenUnix("unix", &net.UnixAddr{Name: name, Net: "unix"})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("live reads: %w", err)
	}
	ln.SetUnlinkOnClose(false) // the socket is renamed; Server.Close removes it
	err = os.Chmod(bound, 0o600)
	if err == nil {
		err = os.Rename(bound, path)
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = os.Lstat(path)
	}
	if err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("live reads: %w", err)
	}
	return ln, fi, nil
}

// dial connects to the socket at path.
func dial(path string) (c net.Conn, err error) {
	err = reachable(path, func(name string) error {
		c, err = net.DialUnix("unix", nil, &net.UnixAddr{Name: name, Net: "unix"})
		return err
	})
	return c, err
}
