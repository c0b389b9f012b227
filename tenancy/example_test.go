package tenancy_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/memlimit"
)

func ExampleHasher() {
	ctx := context.Background()
	h, _ := tenancy.NewHasher(nil)
	phc, _ := h.Hash(ctx, "correct horse battery")
	ok, rehash, _ := h.Verify(ctx, phc, "correct horse battery")
	bad, _, _ := h.Verify(ctx, phc, "wrong horse battery")
	fmt.Println(phc[:31], ok, rehash, bad)
	// Output: $argon2id$v=19$m=19456,t=2,p=1$ true false false
}

func ExampleAuthenticator() {
	current := tenancy.Key{ID: "2026-12", Secret: []byte("a secret of at least thirty-two bytes")}
	retired := tenancy.Key{ID: "2026-11", Secret: []byte("last month's secret, kept one more hour")}
	auth, _ := tenancy.NewAuthenticator(current, []tenancy.Key{retired}, nil)
	token, _, _ := auth.Issue(tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleEditor})
	claims, err := auth.Verify(token)
	fmt.Println(claims.Role, err)
	_, err = auth.Verify(token + "x")
	fmt.Println(err)
	// Output:
	// editor <nil>
	// tenancy: unauthorized: invalid or expired token
}

// ExampleNewService registers a tenant and logs its admin in, on the local
// store.
func ExampleNewService() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "tenancy-example")
	defer os.RemoveAll(dir)
	control, err := duckstore.Open(ctx, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer control.Close()
	store, _ := duckstore.NewTenancy(control)
	auth, _ := tenancy.NewAuthenticator(tenancy.Key{ID: "k1", Secret: []byte("a secret of at least thirty-two bytes")}, nil, nil)
	svc, _ := tenancy.NewService(store, auth, nil)

	t, admin, err := svc.Register(ctx, "acme", "Admin@Acme.example", "correct horse battery")
	fmt.Println(t.Name, admin.Email, admin.Role, err)
	_, _, err = svc.Login(ctx, "admin@acme.example", "wrong horse battery")
	fmt.Println(err)
	tok, _, err := svc.Login(ctx, "admin@acme.example", "correct horse battery")
	fmt.Println(time.Until(tok.ExpiresAt).Round(time.Minute), err)

	limiter, _ := tenancy.NewRateLimiter(memlimit.New(), &tenancy.LimiterOptions{PerMinute: 60})
	d, _ := limiter.Allow(ctx, t.ID)
	fmt.Println(d.Allowed, d.Remaining)
	// Output:
	// acme admin@acme.example admin <nil>
	// tenancy: unauthorized: wrong e-mail or password
	// 30m0s <nil>
	// true 59
}
