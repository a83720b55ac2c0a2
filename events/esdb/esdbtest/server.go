package esdbtest

import (
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"

	"github.com/empulse/empulse/events"
)

// Version is the EventStoreDB version the Server claims to be.
const Version = "24.10.0"

// maxMessage is the largest gRPC message the Server takes; the client takes
// 17 MiB, enough for the largest append events.ValidateAppend allows.
const maxMessage = 17 << 20

// Server is a running test server. Its methods are safe for concurrent use.
type Server struct {
	store events.Store
	addr  string

	mu      sync.Mutex
	grpc    *grpc.Server
	lis     *listener
	deleted map[string]deletion
}

// Start serves the EventStoreDB protocol on 127.0.0.1 (a free port), keeping
// events in store, and returns an insecure connection string for it
// ("esdb://127.0.0.1:PORT?tls=false") with the Server. The Server stops when
// the test ends; store is not closed.
func Start(tb testing.TB, store events.Store) (string, *Server) {
	tb.Helper()
	srv, err := Listen(store, "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("esdbtest: %v", err)
	}
	tb.Cleanup(srv.Stop)
	return srv.ConnString(), srv
}

// Listen serves on addr (host:port, port 0 for a free one) until Stop.
func Listen(store events.Store, addr string) (*Server, error) {
	s := &Server{store: store, deleted: make(map[string]deletion)}
	if err := s.serve(addr); err != nil {
		return nil, err
	}
	return s, nil
}

// serve listens on addr and serves in the background.
func (s *Server) serve(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	lis := &listener{Listener: l, conns: make(map[net.Conn]struct{})}
	g := grpc.NewServer(grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage))
	api.RegisterStreamsServer(g, &streams{s: s})
	serverfeatures.RegisterServerFeaturesServer(g, features{})
	gossip.RegisterGossipServer(g, &members{s: s})

	s.mu.Lock()
	s.addr, s.grpc, s.lis = l.Addr().String(), g, lis
	s.mu.Unlock()
	go g.Serve(lis) //nolint:errcheck // Serve returns when stopped.
	return nil
}

// Addr returns the host:port the Server listens on.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// ConnString returns an insecure connection string for the Server.
func (s *Server) ConnString() string {
	return "esdb://" + s.Addr() + "?tls=false"
}

// DropConnections closes every client connection at once, as a network
// failure would; the listener stays open, so clients can reconnect.
func (s *Server) DropConnections() {
	s.mu.Lock()
	lis := s.lis
	s.mu.Unlock()
	if lis != nil {
		lis.dropAll()
	}
}

// Stop closes the listener and every connection. Stopping twice is harmless.
func (s *Server) Stop() {
	s.mu.Lock()
	g, lis := s.grpc, s.lis
	s.grpc, s.lis = nil, nil
	s.mu.Unlock()
	if g == nil {
		return
	}
	lis.dropAll()
	g.Stop()
}

// Restart serves again on the address of a stopped Server. Deleted and
// tombstoned streams are remembered across a restart.
func (s *Server) Restart() error {
	s.mu.Lock()
	running, addr := s.grpc != nil, s.addr
	s.mu.Unlock()
	if running {
		return fmt.Errorf("esdbtest: restart of a running server")
	}
	return s.serve(addr)
}

// listener tracks accepted connections so that they can be dropped.
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.conns[c] = struct{}{}
	l.mu.Unlock()
	return &conn{Conn: c, l: l}, nil
}

func (l *listener) dropAll() {
	l.mu.Lock()
	conns := l.conns
	l.conns = make(map[net.Conn]struct{})
	l.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

type conn struct {
	net.Conn
	l *listener
}

func (c *conn) Close() error {
	c.l.mu.Lock()
	delete(c.l.conns, c.Conn)
	c.l.mu.Unlock()
	return c.Conn.Close()
}
