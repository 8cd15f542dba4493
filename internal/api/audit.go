package api

import "net/http"

type auditStore interface{}

func (s *Server) registerAudit(mux *http.ServeMux) {}
