package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

type registerRequest struct {
	TenantName string `json:"tenant_name"`
	Email      string `json:"email"`
	Password   string `json:"password"`
}

type registerResponse struct {
	TenantID uuid.UUID `json:"tenant_id"`
	UserID   uuid.UUID `json:"user_id"`
}

func (h *Handler) register(c *Call) (int, any, error) {
	if h.opts.RegistrationClosed {
		return 0, nil, apiError(CodeForbidden, "registration is closed; ask an operator for an account")
	}
	var req registerRequest
	if err := c.Decode(&req); err != nil {
		return 0, nil, err
	}
	t, u, err := h.svc.Register(c.Request.Context(), req.TenantName, req.Email, req.Password)
	if err != nil {
		return 0, nil, err
	}
	c.setActor(t.ID, u.ID)
	c.SetTarget(u.ID.String())
	return http.StatusCreated, registerResponse{TenantID: t.ID, UserID: u.ID}, nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

func (h *Handler) login(c *Call) (int, any, error) {
	var req loginRequest
	if err := c.Decode(&req); err != nil {
		return 0, nil, err
	}
	tok, u, err := h.svc.Login(c.Request.Context(), req.Email, req.Password)
	if u.ID != uuid.Nil {
		// The e-mail named a user: the attempt goes to its tenant's log.
		c.setActor(u.TenantID, u.ID)
		c.SetTarget(u.ID.String())
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, loginResponse{
		AccessToken: tok.AccessToken, TokenType: "bearer",
		ExpiresIn: int(h.svc.Authenticator().TTL() / time.Second),
	}, nil
}

type createUserRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

type userResponse struct {
	ID        uuid.UUID    `json:"id"`
	Email     string       `json:"email"`
	Role      tenancy.Role `json:"role"`
	CreatedAt time.Time    `json:"created_at"`
}

func userJSON(u tenancy.User) userResponse {
	return userResponse{ID: u.ID, Email: u.Email, Role: u.Role, CreatedAt: u.CreatedAt}
}

func (h *Handler) createUser(c *Call) (int, any, error) {
	var req createUserRequest
	if err := c.Decode(&req); err != nil {
		return 0, nil, err
	}
	role, err := tenancy.ParseRole(req.Role)
	if err != nil {
		return 0, nil, err
	}
	u, err := h.svc.CreateUser(c.Request.Context(), c.Tenant(),
		tenancy.NewUser{Email: req.Email, Password: req.Password, Role: role},
		func(u tenancy.User) *tenancy.Completion { return c.Complete(http.StatusCreated, userJSON(u)) })
	if err != nil {
		return 0, nil, err
	}
	c.SetTarget(u.ID.String())
	return http.StatusCreated, userJSON(u), nil
}

func (h *Handler) listUsers(c *Call) (int, any, error) {
	us, err := h.svc.Users(c.Request.Context(), c.Tenant())
	if err != nil {
		return 0, nil, err
	}
	out := make([]userResponse, 0, len(us))
	for _, u := range us {
		out = append(out, userJSON(u))
	}
	return http.StatusOK, map[string]any{"users": out}, nil
}

func (h *Handler) deleteUser(c *Call) (int, any, error) {
	raw := c.Request.PathValue("id")
	c.SetTarget(raw)
	id, err := uuid.Parse(raw)
	if err != nil {
		// Not a user id at all: as absent as another tenant's.
		return 0, nil, apiError(CodeNotFound, "no such user")
	}
	if err := h.svc.DeleteUser(c.Request.Context(), c.Tenant(), id); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

type auditResponse struct {
	Entries    []tenancy.AuditEntry `json:"entries"`
	NextCursor *string              `json:"next_cursor"`
}

func (h *Handler) audit(c *Call) (int, any, error) {
	q := c.Request.URL.Query()
	limit := 50
	if s := q.Get("limit"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			return 0, nil, apiError(CodeInvalid, "limit must be a number")
		}
		limit = v
	}
	es, next, err := h.svc.AuditPage(c.Request.Context(), c.Tenant(), limit, q.Get("cursor"))
	if err != nil {
		return 0, nil, err
	}
	resp := auditResponse{Entries: es}
	if resp.Entries == nil {
		resp.Entries = []tenancy.AuditEntry{}
	}
	if next != "" {
		resp.NextCursor = &next
	}
	return http.StatusOK, resp, nil
}
