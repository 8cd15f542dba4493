package api

import "net/http"

type explorerStore interface{}

func (s *Server) registerExplorer(mux *http.ServeMux) {}
