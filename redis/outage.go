package redis

import (
	"errors"
	"io"
	"net"
	"syscall"

	goredis "github.com/redis/go-redis/v9"
)

// Unavailable tells whether err, returned by a Store method, means Redis
// could not be reached or could not serve for a while (bot.Outages): a
// connection refused, reset or cut, a timeout, a pool with no free
// connection, a server still loading its data, a replica being promoted
// (READONLY, MASTERDOWN), a cluster reconfiguring, too few replicas
// confirming a write in time (ErrNotReplicated). The same call may then
// succeed later. A script error, a wrong type or a bad argument are not
// outages: trying again would fail again.
func (s *Store) Unavailable(err error) bool { return Unavailable(err) }

// Unavailable is Store.Unavailable for any error of a go-redis client.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, goredis.ErrPoolTimeout), errors.Is(err, ErrNotReplicated), errors.Is(err, goredis.ErrPoolExhausted),
		errors.As(err, &netErr):
		return true
	}
	return goredis.IsLoadingError(err) || goredis.IsReadOnlyError(err) || goredis.IsMasterDownError(err) ||
		goredis.IsClusterDownError(err) || goredis.IsTryAgainError(err) || goredis.IsMaxClientsError(err)
}
