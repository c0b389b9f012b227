package gemini

import (
	"reflect"
	"unsafe"

	"github.com/google/generative-ai-go/genai"
)

// closeCacheClient closes the gRPC cached-content client that
// genai.NewClient always dials and genai.Client.Close forgets (v0.20.1
// closes only its REST clients), which would otherwise keep a connection
// and its goroutines alive for the life of the process. We never use cached
// content; the field is unexported, so it is reached by reflection. The
// module is frozen (deprecated upstream), so the layout is stable; if it
// ever changes, this does nothing and the package's goroutine-leak check
// fails.
func closeCacheClient(c *genai.Client) error {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	f := v.Elem().FieldByName("cc")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil
	}
	cc, ok := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(interface{ Close() error })
	if !ok {
		return nil
	}
	return cc.Close()
}
