package etcdstore

import (
	"fmt"
	"net/url"
	"strings"
)

// Scheme is the URL scheme of an etcd store.
const Scheme = "etcd"

// IsURL reports whether s names an etcd store rather than a file.
func IsURL(s string) bool { return strings.HasPrefix(s, Scheme+"://") }

// ParseURL splits etcd://host:port[,host:port…]/prefix into endpoints and
// a key prefix.
func ParseURL(s string) (endpoints []string, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %w", ErrURL, s, err)
	}
	if u.Scheme != Scheme || u.Host == "" {
		return nil, "", fmt.Errorf("%w %q: want %s://host:port[,host:port…]/prefix", ErrURL, s, Scheme)
	}
	for h := range strings.SplitSeq(u.Host, ",") {
		if h == "" || !strings.Contains(h, ":") {
			return nil, "", fmt.Errorf("%w %q: endpoint %q has no port", ErrURL, s, h)
		}
		endpoints = append(endpoints, "http://"+h)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix == "" {
		return nil, "", fmt.Errorf("%w %q: no prefix naming the study", ErrURL, s)
	}
	return endpoints, "/" + prefix, nil
}
