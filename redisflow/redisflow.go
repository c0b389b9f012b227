package redisflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/aam"
)

// Defaults of Options.
const (
	// DefaultMaxLen is the approximate number of entries kept per tenant
	// stream.
	DefaultMaxLen = 10000
	// DefaultBlock is how long one XREAD of a subscription waits for new
	// entries; it bounds how long cancelling a subscription takes.
	DefaultBlock = time.Second
	// DefaultBuffer is the capacity of a subscription's channel.
	DefaultBuffer = 256
)

// field is the stream entry field holding the event's JSON.
const field = "event"

// Options tunes a Bus. A nil *Options means the defaults.
type Options struct {
	// Prefix is prepended to every key, e.g. "aos:". Default: none.
	Prefix string
	// MaxLen caps each tenant stream at about this many entries (MAXLEN ~).
	// Default DefaultMaxLen.
	MaxLen int64
	// Block is the wait of one XREAD BLOCK. Default DefaultBlock.
	Block time.Duration
	// Buffer is the capacity of each subscription's channel; a full
	// channel makes the subscription wait (entries stay in the stream
	// meanwhile). Default DefaultBuffer.
	Buffer int
}

// Bus is the Redis Streams flow bus. Make one with New.
type Bus struct {
	client redis.UniversalClient
	opts   Options
}

var (
	_ aam.FlowBus        = (*Bus)(nil)
	_ aam.FlowSubscriber = (*Bus)(nil)
)

// New returns a Bus on client, which the caller keeps owning. The error
// wraps aam.ErrInvalid and names the bad argument or field.
func New(client redis.UniversalClient, opts *Options) (*Bus, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: redisflow: client is nil", aam.ErrInvalid)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.MaxLen < 0:
		return nil, fmt.Errorf("%w: redisflow: Options.MaxLen must be positive, got %d", aam.ErrInvalid, o.MaxLen)
	case o.Block < 0:
		return nil, fmt.Errorf("%w: redisflow: Options.Block must be positive, got %s", aam.ErrInvalid, o.Block)
	case o.Buffer < 0:
		return nil, fmt.Errorf("%w: redisflow: Options.Buffer must be positive, got %d", aam.ErrInvalid, o.Buffer)
	}
	if o.MaxLen == 0 {
		o.MaxLen = DefaultMaxLen
	}
	if o.Block == 0 {
		o.Block = DefaultBlock
	}
	if o.Buffer == 0 {
		o.Buffer = DefaultBuffer
	}
	return &Bus{client: client, opts: o}, nil
}

// StreamKey returns the key of a tenant's flow stream:
// prefix + "flow:tenant:{" + tenant + "}".
func StreamKey(prefix string, tenant uuid.UUID) string {
	return prefix + "flow:tenant:{" + tenant.String() + "}"
}

// Publish appends e to the stream of e.TenantID (XADD with MAXLEN ~). The
// error wraps aam.ErrInvalid for a nil tenant, else the Redis error.
func (b *Bus) Publish(ctx context.Context, e aam.FlowEvent) error {
	if e.TenantID == uuid.Nil {
		return fmt.Errorf("%w: redisflow: publish: tenant is nil", aam.ErrInvalid)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("redisflow: publish: %w", err)
	}
	err = b.client.XAdd(ctx, &redis.XAddArgs{
		Stream: StreamKey(b.opts.Prefix, e.TenantID),
		MaxLen: b.opts.MaxLen,
		Approx: true,
		Values: []any{field, data},
	}).Err()
	if err != nil {
		return fmt.Errorf("redisflow: publish: %w", err)
	}
	return nil
}

// Recent returns up to n of the tenant's newest events, oldest first.
// Entries that do not decode are skipped.
func (b *Bus) Recent(ctx context.Context, tenant uuid.UUID, n int64) ([]aam.FlowEvent, error) {
	if tenant == uuid.Nil {
		return nil, fmt.Errorf("%w: redisflow: recent: tenant is nil", aam.ErrInvalid)
	}
	if n <= 0 {
		return nil, fmt.Errorf("%w: redisflow: recent: n must be positive, got %d", aam.ErrInvalid, n)
	}
	msgs, err := b.client.XRevRangeN(ctx, StreamKey(b.opts.Prefix, tenant), "+", "-", n).Result()
	if err != nil {
		return nil, fmt.Errorf("redisflow: recent: %w", err)
	}
	out := make([]aam.FlowEvent, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		if e, ok := decode(msgs[i]); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// Subscribe follows the tenant's stream from its current end: the channel
// receives every event published after Subscribe returns, in order, until
// cancel is called or ctx is done, then it is closed. Cancel is idempotent
// and returns once the subscription's goroutine has ended. Entries that do
// not decode are skipped. The error wraps aam.ErrInvalid for a nil tenant,
// else the Redis error of finding the stream's end.
func (b *Bus) Subscribe(ctx context.Context, tenant uuid.UUID) (<-chan aam.FlowEvent, func(), error) {
	if tenant == uuid.Nil {
		return nil, nil, fmt.Errorf("%w: redisflow: subscribe: tenant is nil", aam.ErrInvalid)
	}
	key := StreamKey(b.opts.Prefix, tenant)
	last, err := b.client.XRevRangeN(ctx, key, "+", "-", 1).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("redisflow: subscribe: %w", err)
	}
	from := "0-0"
	if len(last) > 0 {
		from = last[0].ID
	}
	ctx, stop := context.WithCancel(ctx)
	out := make(chan aam.FlowEvent, b.opts.Buffer)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		b.follow(ctx, key, from, out)
	}()
	var once sync.Once
	cancel := func() {
		once.Do(stop)
		<-done
	}
	return out, cancel, nil
}

// follow reads the stream after id into out until ctx is done.
func (b *Bus) follow(ctx context.Context, key, id string, out chan<- aam.FlowEvent) {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		// go-redis bounds a call by its context's deadline, not by
		// cancellation, so each blocking read gets a deadline just past
		// its BLOCK time and the loop checks ctx between reads.
		rctx, rcancel := context.WithTimeout(ctx, b.opts.Block+time.Second)
		res, err := b.client.XRead(rctx, &redis.XReadArgs{Streams: []string{key, id}, Block: b.opts.Block, Count: 512}).Result()
		rcancel()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		for _, s := range res {
			for _, msg := range s.Messages {
				id = msg.ID
				e, ok := decode(msg)
				if !ok {
					continue
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

func decode(msg redis.XMessage) (aam.FlowEvent, bool) {
	var e aam.FlowEvent
	s, ok := msg.Values[field].(string)
	if !ok {
		return e, false
	}
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return e, false
	}
	return e, true
}
