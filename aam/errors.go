package aam

import "errors"

// ErrBreakerOpen is wrapped by the error of a Sync or Observe refused because
// the connection's circuit breaker is open: its source failed repeatedly
// with transient errors and is given time to recover (see
// BreakerOptions.OpenTimeout) before it is called again.
var ErrBreakerOpen = errors.New("aam: circuit breaker open")

// ErrNoSubscribe is returned by Mesh.Subscribe when the configured FlowBus
// cannot deliver events to subscribers (it does not implement
// FlowSubscriber).
var ErrNoSubscribe = errors.New("aam: flow bus does not support subscribers")
