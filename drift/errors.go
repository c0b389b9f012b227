package drift

import "errors"

// ErrInvalid is wrapped by every error of the package: an invalid policy,
// arguments Classify cannot work with, or a proposal that cannot be applied.
// Test with errors.Is.
var ErrInvalid = errors.New("drift: invalid input")
