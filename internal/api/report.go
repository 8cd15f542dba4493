package api

import "net/http"

type reportStore interface{}

func (s *Server) registerReports(mux *http.ServeMux) {}
