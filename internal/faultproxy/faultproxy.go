// Package faultproxy is a TCP proxy for fault-injection tests: put it between
// a client and a real server (Redis, PostgreSQL) and, while traffic flows,
// add latency, drop traffic silently (a black hole: bytes are swallowed and
// the connection stays open, as when a network path dies) or cut every
// connection. Each fault can be switched on and off at any time.
//
// The proxy forwards bytes without parsing them, so it works for any
// protocol. It is meant for tests and benchmarks only.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards TCP connections from its listening address to a target
// address, applying the faults currently set. It is safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener

	latency   atomic.Int64 // nanoseconds added to each chunk, each direction
	jitter    atomic.Int64 // extra random-ish latency bound (nanoseconds)
	blackhole atomic.Bool
	refuse    atomic.Bool

	mu     sync.Mutex
	conns  map[*link]struct{}
	closed bool
	wg     sync.WaitGroup

	accepted atomic.Int64
	cut      atomic.Int64
}

type link struct {
	client, server net.Conn
	once           sync.Once
}

func (l *link) close() {
	l.once.Do(func() {
		_ = l.client.Close()
		_ = l.server.Close()
	})
}

// New starts a proxy listening on a free port of 127.0.0.1 that forwards to
// target ("host:port"). Close it when done.
func New(target string) (*Proxy, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, ln: ln, conns: make(map[*link]struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the address clients should dial instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetLatency delays every chunk of bytes by d in each direction, so a
// request-reply round trip takes at least 2d longer. Zero removes the delay.
// Order is kept and throughput is not limited.
func (p *Proxy) SetLatency(d time.Duration) { p.latency.Store(int64(d)) }

// SetJitter adds up to d of extra latency to each chunk, varying per chunk
// but never reordering bytes. Zero removes it.
func (p *Proxy) SetJitter(d time.Duration) { p.jitter.Store(int64(d)) }

// Blackhole, when on, swallows every byte in both directions without closing
// any connection, and new connections are accepted but swallowed too — the
// peer sees silence until its own timeouts fire. Turning it off resumes
// forwarding for bytes sent afterwards; swallowed bytes are lost.
func (p *Proxy) Blackhole(on bool) { p.blackhole.Store(on) }

// Refuse, when on, closes new connections as soon as they are accepted
// (existing ones are kept; combine with Cut to drop them too).
func (p *Proxy) Refuse(on bool) { p.refuse.Store(on) }

// Cut closes every open connection at once, as a crashed middlebox or a
// restarted server would. New connections are accepted as usual.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	links := make([]*link, 0, len(p.conns))
	for l := range p.conns {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		l.close()
	}
	p.cut.Add(int64(len(links)))
	return len(links)
}

// Stats reports how many connections were accepted and cut so far.
func (p *Proxy) Stats() (accepted, cut int64) { return p.accepted.Load(), p.cut.Load() }

// Reset removes every fault.
func (p *Proxy) Reset() {
	p.SetLatency(0)
	p.SetJitter(0)
	p.Blackhole(false)
	p.Refuse(false)
}

// Close stops listening, cuts every connection and waits for the proxy's
// goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		if p.refuse.Load() {
			_ = c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		l := &link{client: c, server: s}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			l.close()
			return
		}
		p.conns[l] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(l, c, s)
		go p.pipe(l, s, c)
	}
}

type chunk struct {
	b   []byte
	due time.Time
}

// pipe copies src to dst through a delay line. A reader goroutine stamps each
// chunk with its due time; this goroutine writes chunks when due.
func (p *Proxy) pipe(l *link, src, dst net.Conn) {
	defer p.wg.Done()
	defer func() {
		l.close()
		p.mu.Lock()
		delete(p.conns, l)
		p.mu.Unlock()
	}()
	ch := make(chan chunk, 1024)
	go func() {
		defer close(ch)
		var n uint64
		for {
			buf := make([]byte, 32<<10)
			k, err := src.Read(buf)
			if k > 0 && !p.blackhole.Load() {
				d := time.Duration(p.latency.Load())
				if j := p.jitter.Load(); j > 0 {
					n = n*6364136223846793005 + 1442695040888963407
					d += time.Duration((n >> 33) % uint64(j))
				}
				ch <- chunk{b: buf[:k], due: time.Now().Add(d)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		if w := time.Until(c.due); w > 0 {
			time.Sleep(w)
		}
		if p.blackhole.Load() {
			continue // bytes in flight when the hole opened are lost too
		}
		if _, err := dst.Write(c.b); err != nil {
			if !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
				l.close()
			}
			break
		}
	}
	// Drain so the reader goroutine can exit after l.close.
	l.close()
	for range ch {
	}
}
